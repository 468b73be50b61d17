from django.db.models import QuerySet

from platform_core.models import Job, User
from platform_core.selectors.customers import customer_for_user


def job_list_for_user(*, user: User, status: str | None = None, kind: str | None = None) -> QuerySet[Job]:
    """Jobs of the caller's customer (staff without a customer use the admin)."""
    jobs = Job.objects.filter(customer=customer_for_user(user=user))
    if status:
        jobs = jobs.filter(status=status)
    if kind:
        jobs = jobs.filter(kind=kind)
    return jobs.order_by("-created_at")


def job_get_for_user(*, user: User, job_id: str) -> Job:
    """Raises Job.DoesNotExist for another customer's job (the API answers 404)."""
    return job_list_for_user(user=user).get(pk=job_id)


def job_list_active_for_user(*, user: User) -> QuerySet[Job]:
    """What a reconnecting socket is sent first: the user's queued and running jobs."""
    return Job.objects.filter(user=user, status__in=Job.ACTIVE).order_by("created_at")
