"""The JSON parser of every API view: bad JSON of any shape is a 400 `parse_error`, never a 500.

Besides syntax, a body is refused when it nests deeper than JSON_MAX_DEPTH or holds more than
JSON_MAX_ITEMS values: both bound the work (and the recursion) of everything that walks the data
afterwards (camelCase conversion, serializers). The limits are checked by counting bytes first
(`[`/`{` bound the depth, `,` the item count, in C); only a body that could exceed one is walked.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from djangorestframework_camel_case.parser import CamelCaseJSONParser
from djangorestframework_camel_case.util import underscoreize
from rest_framework.exceptions import ParseError


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# One decoder for every body (json.loads with arguments would build a new one per call).
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def _shape_check(data: Any, *, max_depth: int, max_items: int) -> None:
    """Depth and value count of parsed JSON, iteratively (a recursive walk would itself overflow)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    items = 0
    while stack:
        value, depth = stack.pop()
        items += 1
        if items > max_items:
            raise ParseError(f"JSON parse error - more than {max_items} values.")
        if isinstance(value, dict | list):
            if depth > max_depth:
                raise ParseError(f"JSON parse error - nested deeper than {max_depth} levels.")
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)


def json_body_parse(raw: bytes, *, encoding: str = "utf-8") -> Any:
    """Parse a JSON body within the platform's limits, or raise ParseError (400 parse_error)."""
    max_depth, max_items = settings.JSON_MAX_DEPTH, settings.JSON_MAX_ITEMS
    try:
        data = _DECODER.decode(raw.decode(encoding))
    except (ValueError, RecursionError, UnicodeDecodeError, LookupError) as exc:
        # ValueError covers JSONDecodeError and ints longer than Python's digit limit.
        message = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ParseError(f"JSON parse error - {message}") from None
    openers = raw.count(b"[") + raw.count(b"{")
    if openers > max_depth or raw.count(b",") >= max_items:
        _shape_check(data, max_depth=max_depth, max_items=max_items)
    return data


class PlatformJSONParser(CamelCaseJSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        return underscoreize(json_body_parse(raw, encoding=encoding), **self.json_underscoreize)
