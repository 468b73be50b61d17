"""Demo data for `manage.py seed_demo` (run by `make run`): the demo customer with every screen filled.

platform_core imports no other app, so each app that has something to show adds it from its own
`<app>/demo_data.py`, registering a seeder with `demo_seeder_register`; seed_demo imports those
modules (like admin.py autodiscovery) and runs the seeders in INSTALLED_APPS order, so assessments
(the tools' records) comes before exports (documents of them) and realtime (analytics).

A seeder makes its records through its app's services and checks first what the demo customer
already has: a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from celery import current_app

from platform_core.models import Customer, Job, User


@dataclass(frozen=True)
class Demo:
    customer: Customer
    owner: User
    staff: User


@dataclass(frozen=True)
class DemoSeeder:
    name: str
    seed: Callable[[Demo], list[str]]  # returns what it made or found, one line each
    atomic: bool = True  # False: the seeder manages its own transactions (it must write after a commit)


_seeders: dict[str, DemoSeeder] = {}


def demo_seeder_register(
    name: str, *, atomic: bool = True
) -> Callable[[Callable[[Demo], list[str]]], Callable[[Demo], list[str]]]:
    def decorator(seed: Callable[[Demo], list[str]]) -> Callable[[Demo], list[str]]:
        _seeders[name] = DemoSeeder(name=name, seed=seed, atomic=atomic)
        return seed

    return decorator


def demo_seeders() -> list[DemoSeeder]:
    return list(_seeders.values())


def demo_job_run(job: Job) -> Job:
    """Run a job's task in this process now, exactly as a worker would (the seed needs no worker).

    The message job_create sends on commit then finds the job finished and is dropped; a job that
    failed here is left to its retry (a worker runs it later)."""
    if job.task_name not in current_app.tasks:  # a worker imports the task modules at boot; do the same
        current_app.loader.import_default_modules()
    current_app.tasks[job.task_name].apply(args=(str(job.id),), task_id=job.task_id)
    job.refresh_from_db()
    return job
