from platform_core.models.accounts import Customer, User, UserManager
from platform_core.models.jobs import DeadLetter, Job, ScheduledTask
from platform_core.models.security import ApiKey, AuditEvent, TeamInvitation, UserSession

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Customer",
    "DeadLetter",
    "Job",
    "ScheduledTask",
    "TeamInvitation",
    "User",
    "UserManager",
    "UserSession",
]
