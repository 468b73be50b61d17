"""One error shape for every 4xx/5xx: {"error": {"code", "message", "details"}}."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from platform_core.exceptions import ApplicationError
from platform_core.resilience import mark_failure, unavailable_response

logger = logging.getLogger(__name__)


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _first_code(codes: Any) -> str:
    while isinstance(codes, dict | list) and codes:
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return codes if isinstance(codes, str) else "error"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None and (dependency := mark_failure(context.get("request"), exc)) is not None:
        # A lost database/Redis connection: 503 naming it (DependencyFailureMiddleware retries safe requests).
        return Response(unavailable_response(dependency).content, status=503, content_type="application/json")
    if response is None:
        logger.exception("unhandled error in %s", context.get("view").__class__.__name__, exc_info=exc)
        return Response(error_body("server_error", "An unexpected error occurred."), status=500)

    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"nonFieldErrors": exc.detail}
        response.data = error_body("validation_error", "The request has invalid fields.", details)
    else:
        detail = exc.detail
        code = _first_code(exc.get_codes())
        if isinstance(detail, dict):  # simplejwt puts {"detail", "code", "messages"} here
            message = str(detail.get("detail", exc.default_detail))
            code = str(detail.get("code", code))
        else:
            message = str(detail)
        extra: dict[str, Any] = {}
        wait = getattr(exc, "wait", None)  # Throttled
        if wait is not None:
            extra["retryAfter"] = int(wait)
        response.data = error_body(code, message, extra)
    return response


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("not_found", "Not found."), status=status.HTTP_404_NOT_FOUND)


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("server_error", "An unexpected error occurred."), status=500)
