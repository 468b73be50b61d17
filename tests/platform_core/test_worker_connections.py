"""A Celery worker keeps its database connections from one task to the next.

Celery's Django fixup closed the connection pool of a prefork child around every task, so each task
paid for a new pool: new PostgreSQL backends, each a process forked, authenticated and configured.
"""

import pytest

from config.celery import app
from tests.support.worker import CeleryWorker


@pytest.mark.django_db(transaction=True)
def test_consecutive_tasks_are_served_by_the_same_database_backend():
    worker = CeleryWorker(queues="default", concurrency=1).start()
    try:
        pids = [
            app.send_task("tests.support.tasks.database_backend_pid", queue="default").get(timeout=60) for _ in range(8)
        ]
    finally:
        worker.stop()
    # The child's pool hands its few connections round; before, 8 tasks connected 8 times.
    assert len(set(pids)) <= len(pids) // 2, f"tasks connected anew: backends {pids}"
