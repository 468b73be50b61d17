from platform_core.models.accounts import Customer, User, UserManager
from platform_core.models.jobs import DeadLetter, Job, ScheduledTask

__all__ = ["Customer", "DeadLetter", "Job", "ScheduledTask", "User", "UserManager"]
