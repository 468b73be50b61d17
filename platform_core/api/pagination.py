from typing import Any

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property
from rest_framework import pagination


class ProbingPaginator(Paginator):
    """Reads the first page with one extra row: when it is not full, the count is known without COUNT(*).

    Most lists (a customer's jobs, exports, artifacts) fit one page, so they cost one query, not two.
    """

    _first_page: list[Any] | None = None

    @cached_property
    def count(self) -> int:
        probe = list(self.object_list[: self.per_page + 1])
        if len(probe) <= self.per_page:
            self._first_page = probe
            return len(probe)
        return Paginator.count.func(self)  # type: ignore[attr-defined]

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        if number == 1 and self._first_page is not None:
            return self._get_page(self._first_page, 1, self)  # type: ignore[attr-defined]
        return super().page(number)


class PageNumberPagination(pagination.PageNumberPagination):
    django_paginator_class = ProbingPaginator
    page_size_query_param = "pageSize"
    max_page_size = 100
