"""The admin page of the top SQL statements by total time, from pg_stat_statements where the server has it.

The extension is preloaded in compose and production (shared_preload_libraries) and created by migration
0005 where the server offers it; the pip-shipped PostgreSQL of `make run` and the tests does not ship it,
and the page says so instead of failing. Only this database's statements are listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.admin.views.decorators import staff_member_required
from django.db import DatabaseError, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from platform_core.observability.logs import scrub_text

EXTENSION = "pg_stat_statements"
TOP_DEFAULT = 50
QUERY_TEXT_MAX = 300
# pg_stat_statements replaces constants by $1, $2 ... except in utility statements such as ALTER ROLE.
_SQL_PASSWORD = re.compile(r"(?i)(password\s+)'(?:[^']|'')*'")


@dataclass(frozen=True)
class Statement:
    calls: int
    total_ms: float
    mean_ms: float
    rows: int
    share_percent: float
    query: str
    truncated: bool


@dataclass(frozen=True)
class StatementsReport:
    available: bool
    message: str = ""
    statements: list[Statement] = field(default_factory=list)


def _query_text(text: str) -> tuple[str, bool]:
    text = _SQL_PASSWORD.sub(r"\1'[redacted]'", scrub_text(" ".join(text.split())))
    if len(text) <= QUERY_TEXT_MAX:
        return text, False
    return text[:QUERY_TEXT_MAX], True


def statements_top(*, limit: int = TOP_DEFAULT, using: str = "default") -> StatementsReport:
    """This database's statements with the most total execution time, or why there are none to show."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return StatementsReport(available=False, message=f"{EXTENSION} needs PostgreSQL.")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = %s",
            [EXTENSION],
        )
        schema = cursor.fetchone()
        if schema is None:
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = %s", [EXTENSION])
            if cursor.fetchone() is None:
                return StatementsReport(available=False, message=f"{EXTENSION} is not installed on this server.")
            return StatementsReport(
                available=False,
                message=f"{EXTENSION} is installed on this server but not created in this database: "
                f"run CREATE EXTENSION {EXTENSION}; as a role allowed to (migration 0005 does it when it can).",
            )
        view = f"{connection.ops.quote_name(schema[0])}.{EXTENSION}"
        try:
            with transaction.atomic(using=using):  # a failed read must not break the request's transaction
                cursor.execute(
                    f"SELECT calls, total_exec_time, mean_exec_time, rows, "  # noqa: S608 - names, no input
                    f"100 * total_exec_time / NULLIF(sum(total_exec_time) OVER (), 0), query FROM {view} "
                    f"WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                    f"ORDER BY total_exec_time DESC LIMIT %s",
                    [limit],
                )
                rows = cursor.fetchall()
        except DatabaseError as error:  # created but not preloaded: the view refuses to answer
            return StatementsReport(
                available=False,
                message=f"{EXTENSION} is created but the server cannot read it ({str(error).strip()}): "
                f"start PostgreSQL with shared_preload_libraries={EXTENSION}.",
            )
    statements = []
    for calls, total_ms, mean_ms, row_count, share, query in rows:
        text, truncated = _query_text(query or "")
        statements.append(
            Statement(
                calls=calls,
                total_ms=total_ms,
                mean_ms=mean_ms,
                rows=row_count,
                share_percent=share or 0.0,
                query=text,
                truncated=truncated,
            )
        )
    return StatementsReport(available=True, statements=statements)


@staff_member_required
def statements_page_view(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"title": "Top SQL statements", "report": statements_top()}
    return render(request, "admin/statements.html", context)
