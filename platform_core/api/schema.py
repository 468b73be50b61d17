"""The OpenAPI schema tells every status an operation can answer, with the platform's error shape.

The error statuses that follow from how a view is built are added here, once, instead of an
`extend_schema` block per view: a body can be invalid (400), too large (413) or of an unknown type (415);
a view with authentication can refuse the caller (401, 403); a path id or a page number can name nothing
(404); a counted request can be over its limit (429); any request can meet an overloaded web process or a
lost database (503). What only a service knows (409 for a state, 410 for an expired link, 422 ...) a view
declares with `extend_schema(responses={..., **error_responses(409, 410)})`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable: what clients branch on.")
    message = serializers.CharField(help_text="For people; may change.")
    details = serializers.DictField(
        child=serializers.JSONField(), help_text="Field errors (validation_error) or the error's facts."
    )


class ErrorResponseSerializer(serializers.Serializer):
    """Every 4xx and 5xx of the API, from DRF, Django's handlers and the middleware alike."""

    error = ErrorSerializer()


# What each status means here, with the codes a client can expect in `error.code`.
ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Invalid request: `validation_error` (`details` names each field), `parse_error` (bad JSON), "
    "or the code of the business rule it breaks.",
    401: "Not signed in or no longer: `not_authenticated`, `authentication_failed`, `token_not_valid`, "
    "`session_revoked`, `session_expired`, `api_key_invalid`.",
    402: "A paid allowance is used up: `ai_budget_exhausted`.",
    403: "Signed in but not allowed: `permission_denied`, `read_only_role`, `manager_role_required`, "
    "`api_key_not_allowed`, `api_key_scope`, `customer_suspended`.",
    404: "Nothing of that id for this caller (another customer's objects are not found either), "
    "or a page number past the end: `not_found`.",
    409: "The object's state does not allow it now.",
    410: "It existed but has expired.",
    413: "The body is over the size limit: `request_too_large` (`details.maxBytes`).",
    415: "The body's Content-Type is not one this operation reads: `unsupported_media_type`.",
    422: "Understood, but a third party refused it.",
    429: "Over a rate limit or quota: `rate_limited`, `throttled`, `account_locked`, `ai_quota_exceeded`; "
    "the `Retry-After` header says when to come back.",
    502: "A third-party service answered with an error.",
    503: "Busy or a dependency is down: `overloaded`, `dependency_unavailable`; retry after `Retry-After`.",
}

PAGE_PARAMETERS = frozenset({"page", "pageSize"})
_RETRY_AFTER = {
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying."},
}


def error_response(status: int, description: str | None = None) -> OpenApiResponse:
    return OpenApiResponse(ErrorResponseSerializer, description=description or ERROR_DESCRIPTIONS.get(status, ""))


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """The error statuses a view's services can answer beyond the common ones, for `extend_schema(responses=)`."""
    return {status: error_response(status) for status in statuses}


class PlatformAutoSchema(AutoSchema):
    def common_error_statuses(self, operation: dict[str, Any]) -> set[int]:
        statuses = {503}
        if "requestBody" in operation:
            statuses |= {400, 413, 415}
        parameters = operation.get("parameters", [])
        if any(parameter["in"] == "query" and parameter["name"] not in PAGE_PARAMETERS for parameter in parameters):
            statuses.add(400)  # a filter's value (pagination ignores a bad pageSize; a bad page is a 404)
        if any(parameter["in"] == "path" for parameter in parameters) or self._is_paginated_list():
            statuses.add(404)
        if self.view.get_authenticators():
            # Credentials are checked whenever sent, even on views anyone may call; a suspended customer is 403.
            statuses |= {401, 403}
        if not all(isinstance(permission, AllowAny) for permission in self.view.get_permissions()):
            statuses |= {401, 403}
        if self.view.get_throttles():
            statuses.add(429)
        return statuses

    def _is_paginated_list(self) -> bool:
        paginator = self._get_paginator()
        return isinstance(paginator, BasePagination) and self._is_list_view()

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses: dict[str, Any] = operation["responses"]
        for code, response in responses.items():  # a view's `410: OpenApiResponse(description=...)`
            if code >= "400" and "content" not in response:
                filled = self._get_response_for_code(error_response(int(code)), code, media_types=["application/json"])
                responses[code] = {**filled, "description": response.get("description") or filled["description"]}
        for status in sorted(self.common_error_statuses(operation)):
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(
                    error_response(status), str(status), media_types=["application/json"]
                )
        for status in (429, 503):
            if str(status) in responses:
                responses[str(status)].setdefault("headers", {}).update(_RETRY_AFTER)
        operation["responses"] = dict(sorted(responses.items()))
        return operation
