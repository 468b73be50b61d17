"""Rounding the way a person computing on paper expects: Decimal arithmetic, .5 rounds half up
(like JavaScript's Math.round), never Python's banker's rounding."""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")


def round_half_up(value: Decimal | float | int) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_cents(value: Decimal) -> float:
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


def floor_int(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_FLOOR))


def as_decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))
