"""Why a research request or job ends: stable codes a client can act on."""

from typing import Any

from platform_core.exceptions import ApplicationError
from platform_core.taskbase import RetryableError


class ResearchError(ApplicationError):
    """The target cannot be researched (a client's URL or the site's answer); never retried."""


def invalid_url(message: str) -> ResearchError:
    return ResearchError(message, code="invalid_url", status_code=400)


def url_not_allowed(message: str, **details: Any) -> ResearchError:
    return ResearchError(message, code="url_not_allowed", status_code=400, details=details)


def site_unreachable(message: str, *, status: int | None = None, **details: Any) -> ResearchError:
    return ResearchError(message, code="site_unreachable", status_code=502, details={"status": status, **details})


def blocked_by_robots(url: str) -> ResearchError:
    return ResearchError(
        "The site's robots.txt does not allow this page to be fetched.", code="blocked_by_robots",
        status_code=403, details={"url": url},
    )  # fmt: skip


class BrowserLost(RetryableError):
    """The browser crashed or was replaced (over its memory cap) mid-page: the task retries on a new one."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="browser_lost")


class PoolBusy(RetryableError):
    def __init__(self) -> None:
        super().__init__("Every browser is busy; retrying shortly.", code="browser_pool_busy")
