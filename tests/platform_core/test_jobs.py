"""The job machinery against a real Celery worker process, Redis broker and PostgreSQL."""

import os
import signal
from datetime import timedelta

import pytest
from celery import current_app
from django.utils import timezone

from platform_core.models import Customer, DeadLetter, Job, ScheduledTask
from platform_core.services.jobs import job_create, job_start, jobs_delete_finished, jobs_reap_stuck
from platform_core.services.tasks import scheduled_tasks_dispatch, task_enqueue
from tests.platform_core.factories import CustomerFactory, UserFactory
from tests.support.worker import wait_for

STEPPED = "tests.support.tasks.stepped_job"
live = pytest.mark.django_db(transaction=True)


def create_job(user, task_name=STEPPED, **input):
    return job_create(kind="test.stepped", task_name=task_name, customer=user.customer, user=user, input=input)


def job_state(auth_client, job):
    response = auth_client.get(f"/api/v1/jobs/{job.id}/")
    assert response.status_code == 200
    return response.json()


def wait_for_status(job, *statuses, timeout=30):
    return wait_for(
        lambda: Job.objects.filter(pk=job.pk, status__in=statuses).first(), timeout=timeout, what=f"job {statuses}"
    )


@live
def test_a_job_runs_on_a_real_worker_and_the_api_shows_its_result(celery_worker, auth_client, user):
    job = create_job(user, steps=4)

    wait_for_status(job, "succeeded")
    state = job_state(auth_client, job)
    assert state["status"] == "succeeded"
    assert state["progress"] == 100
    assert state["result"] == {"steps": 4, "effect": f"effect-{job.id}"}
    assert state["attempts"] == 1
    assert state["error"] is None
    assert Customer.objects.filter(slug=f"effect-{job.id}").count() == 1


@live
def test_kill_9_of_the_pool_process_mid_task_reruns_the_job_and_the_effect_happens_once(celery_worker, user):
    job = create_job(user, steps=20, stepSeconds=0.1)
    wait_for(lambda: Job.objects.get(pk=job.pk).progress >= 20, what="job under way")

    for pid in celery_worker.child_pids():
        os.kill(pid, signal.SIGKILL)  # the process running the task dies; the main process stays

    done = wait_for_status(job, "succeeded", timeout=60)
    assert done.attempts == 2  # the lost run counted; the message came back with the same id
    assert Customer.objects.filter(slug=f"effect-{job.id}").count() == 1


@live
def test_kill_9_of_the_whole_worker_is_recovered_by_the_reaper_once_a_worker_is_back(celery_worker, user):
    job = create_job(user, steps=20, stepSeconds=0.1)
    wait_for(lambda: Job.objects.get(pk=job.pk).progress >= 10, what="job under way")
    lost_task_id = Job.objects.get(pk=job.pk).task_id

    celery_worker.kill()
    assert Job.objects.get(pk=job.pk).status == "running"  # nobody is left to finish it
    celery_worker.start()

    # Time moves past the run's hard limit; the beat reaper takes the job back.
    Job.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert jobs_reap_stuck() == 1
    done = wait_for_status(job, "succeeded", timeout=60)
    assert done.attempts == 2

    # Much later Redis redelivers the lost, never-acked message: it carries the old id and is dropped.
    result = current_app.send_task(STEPPED, args=[str(job.id)], task_id=lost_task_id)
    assert result.get(timeout=30) == "skipped"
    assert Customer.objects.filter(slug=f"effect-{job.id}").count() == 1
    assert Job.objects.get(pk=job.pk).attempts == 2


@live
def test_a_job_that_keeps_failing_is_dead_lettered_and_an_admin_replay_after_the_fix_succeeds(
    celery_worker, user, client
):
    job = create_job(user, task_name="tests.support.tasks.needs_customer_job", requiresSlug="late-arrival")

    failed = wait_for_status(job, "failed", timeout=60)
    assert failed.attempts == failed.max_attempts == 3
    assert failed.error_code == "dependency_missing"
    letter = DeadLetter.objects.get(job=job)
    assert letter.status == "open"
    assert letter.attempts == 3
    assert "Customer late-arrival is not there yet" in letter.error

    CustomerFactory(slug="late-arrival")  # the cause is fixed
    staff = UserFactory(is_staff=True, is_superuser=True, customer=None)
    client.force_login(staff)
    response = client.post(
        "/admin/platform_core/deadletter/", {"action": "replay", "_selected_action": [letter.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "1 replayed" in response.content.decode()

    done = wait_for_status(job, "succeeded", timeout=60)
    assert done.result == {"found": "late-arrival"}
    wait_for(lambda: DeadLetter.objects.get(pk=letter.pk).status == "resolved", what="letter resolved")


@live
def test_a_plain_task_that_fails_for_good_is_dead_lettered_and_replayable(celery_worker):
    current_app.send_task("tests.support.tasks.plain_needs_customer", args=["plain-cause"])
    letter = wait_for(
        lambda: DeadLetter.objects.filter(task_name="tests.support.tasks.plain_needs_customer").first(),
        what="dead letter",
    )
    assert letter.args == ["plain-cause"]
    assert letter.attempts == 2  # first run + one retry

    from platform_core.services.replay import dead_letter_replay

    CustomerFactory(slug="plain-cause")
    dead_letter_replay(letter=letter)
    wait_for(lambda: DeadLetter.objects.get(pk=letter.pk).status == "resolved", what="letter resolved")
    assert Customer.objects.filter(slug="plain-plain-cause").exists()


@live
def test_a_user_error_fails_the_job_at_once_with_its_reason(celery_worker, auth_client, user):
    job = create_job(user, task_name="tests.support.tasks.invalid_input_job")
    wait_for_status(job, "failed")
    state = job_state(auth_client, job)
    assert state["attempts"] == 1
    assert state["error"] == {"code": "invalid_input", "message": "The input names no company."}


@live
def test_cancelling_a_running_job_stops_it_before_its_effect(celery_worker, auth_client, user):
    job = create_job(user, steps=50, stepSeconds=0.1)
    wait_for(lambda: Job.objects.get(pk=job.pk).progress >= 4, what="job under way")

    response = auth_client.post(f"/api/v1/jobs/{job.id}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"

    again = auth_client.post(f"/api/v1/jobs/{job.id}/cancel/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "job_not_cancellable"

    progress_at_cancel = Job.objects.get(pk=job.pk).progress
    # The next progress report finds the job cancelled; the task stops and never records its effect.
    wait_for(lambda: current_app.control.inspect().active() is not None, what="inspect")
    wait_for(lambda: not any((current_app.control.inspect().active() or {}).values()), timeout=30, what="worker idle")
    final = Job.objects.get(pk=job.pk)
    assert final.status == "cancelled"
    assert final.progress <= progress_at_cancel + 2
    assert not Customer.objects.filter(slug=f"effect-{job.id}").exists()


@live
def test_a_retry_due_later_waits_in_postgresql_not_in_the_broker(celery_worker, user):
    job = create_job(user, steps=1)
    wait_for_status(job, "succeeded")
    later = timezone.now() + timedelta(minutes=30)

    task_id = task_enqueue(task_name="tests.support.tasks.plain_needs_customer", args=["never"], eta=later)
    row = ScheduledTask.objects.get(task_id=task_id)
    assert row.due_at == later
    assert scheduled_tasks_dispatch() == 0  # not due yet: stays in PostgreSQL

    CustomerFactory(slug="due-now")
    row.args, row.due_at = ["due-now"], timezone.now()
    row.save()
    assert scheduled_tasks_dispatch() == 1
    assert not ScheduledTask.objects.filter(task_id=task_id).exists()
    wait_for(lambda: Customer.objects.filter(slug="plain-due-now").exists(), what="dispatched task ran")


@pytest.mark.django_db
def test_jobs_api_lists_only_the_callers_customer_with_filters(auth_client, user):
    mine = [create_job(user, steps=1) for _ in range(3)]
    Job.objects.filter(pk=mine[0].pk).update(status="failed")
    other_user = UserFactory()
    theirs = create_job(other_user)

    listed = auth_client.get("/api/v1/jobs/").json()
    assert listed["count"] == 3
    assert {row["id"] for row in listed["results"]} == {str(job.id) for job in mine}
    assert auth_client.get("/api/v1/jobs/?status=failed").json()["count"] == 1
    assert auth_client.get("/api/v1/jobs/?kind=test.stepped&status=queued").json()["count"] == 2
    bad = auth_client.get("/api/v1/jobs/?status=exploded")
    assert bad.status_code == 400
    assert bad.json()["error"]["details"]["status"]

    assert auth_client.get(f"/api/v1/jobs/{theirs.id}/").status_code == 404
    assert auth_client.post(f"/api/v1/jobs/{theirs.id}/cancel/").status_code == 404
    assert Job.objects.get(pk=theirs.pk).status == "queued"


@pytest.mark.django_db
def test_cleanup_removes_only_old_finished_jobs(user):
    old_done, old_running, recent_done = (create_job(user) for _ in range(3))
    month_ago = timezone.now() - timedelta(days=31)
    Job.objects.filter(pk=old_done.pk).update(status="succeeded", finished_at=month_ago)
    Job.objects.filter(pk=old_running.pk).update(status="running", created_at=month_ago)
    Job.objects.filter(pk=recent_done.pk).update(status="failed", finished_at=timezone.now())

    assert jobs_delete_finished(older_than=timedelta(days=30)) == 1
    assert set(Job.objects.values_list("pk", flat=True)) == {old_running.pk, recent_done.pk}


@pytest.mark.django_db
def test_starting_a_job_claims_it_for_its_own_message_only_and_counts_the_attempt(user):
    job = create_job(user)

    def start(task_id: str = job.task_id) -> Job | None:
        return job_start(job_id=str(job.pk), task_id=task_id, lease_seconds=60)

    assert start("someone-else") is None  # a stale message
    first = start()
    assert first is not None and first.started_at is not None and first.lease_expires_at is not None
    assert (first.status, first.attempts, first.message) == ("running", 1, "Running")
    assert first.lease_expires_at > first.started_at

    # Its worker died: the same message comes back and runs again, the first start time kept.
    again = start()
    assert again is not None
    assert (again.attempts, again.message, again.started_at) == (2, "Running (attempt 2 of 3)", first.started_at)
    assert getattr(start(), "attempts", None) == 3

    # Lost on its last attempt too: not a fourth run, but failed, with a reason the user can read.
    assert start() is None
    job.refresh_from_db()
    assert (job.status, job.error_code, job.attempts) == ("failed", "worker_lost", 3)
