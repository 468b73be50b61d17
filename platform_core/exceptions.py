from typing import Any


class ApplicationError(Exception):
    """A business-rule failure a client can act on; rendered as the platform's error shape."""

    def __init__(
        self, message: str, *, code: str = "invalid", status_code: int = 400, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status_code = status_code
        self.details = details or {}


def customer_suspended_error() -> ApplicationError:
    """What every way in (session, API key, socket, job) answers for a suspended customer."""
    return ApplicationError(
        "This customer account is suspended; contact support.", code="customer_suspended", status_code=403
    )
