"""camelCase JSON on the wire, at a fraction of djangorestframework-camel-case's cost per response.

The package's renderer runs a regular expression over every key of every response; the keys of a
response are the same few dozen names again and again, so each conversion is remembered. Same output:
`no_underscore_before_number` (settings' JSON_UNDERSCOREIZE) is what its regex does with digits too.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.utils.encoding import force_str
from django.utils.functional import Promise
from djangorestframework_camel_case.util import camelize_re, underscore_to_camel
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request


@lru_cache(maxsize=8192)  # bounded: keys inside stored JSON (job results, properties) are open-ended
def camel_key(key: str) -> str:
    return camelize_re.sub(underscore_to_camel, key) if "_" in key else key


def _key(key: Any) -> Any:
    if type(key) is str:
        return camel_key(key)
    if isinstance(key, Promise):  # lazily translated
        key = force_str(key)
    return camel_key(key) if isinstance(key, str) else key


# What most values of a response are: returned as they are after one set lookup, where isinstance
# checks against dict, the sequences and Promise cost several calls per value (issue 12).
_LEAF_TYPES = frozenset({str, int, float, bool, type(None)})


def camelize(data: Any) -> Any:
    if type(data) in _LEAF_TYPES:
        return data
    if isinstance(data, dict):
        return {camel_key(key) if type(key) is str else _key(key): camelize(value) for key, value in data.items()}
    if isinstance(data, list | tuple | set | frozenset):
        return [camelize(item) for item in data]
    if isinstance(data, Promise):
        return force_str(data)
    return data


class CamelCaseJSONRenderer(JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return super().render(camelize(data), accepted_media_type, renderer_context)


# What clients send (curl, fetch, axios, locust): each picks the first renderer when it speaks JSON.
_JSON_ACCEPTS = frozenset({"*/*", "application/json", "application/json, text/plain, */*"})


class JSONFirstNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, with the common case answered without parsing the Accept header (~5% of a
    small read, issue 12): no ?format= and an Accept that any JSON renderer satisfies."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        first = next(iter(renderers), None)
        override = self.settings.URL_FORMAT_OVERRIDE
        if (
            first is not None
            and first.media_type == "application/json"
            and not format_suffix
            and request.META.get("HTTP_ACCEPT", "*/*") in _JSON_ACCEPTS
            and not (override and f"{override}=" in request.META.get("QUERY_STRING", ""))
        ):
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
