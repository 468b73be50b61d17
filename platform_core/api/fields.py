"""Serializers whose fields cost little per instance.

DRF builds a serializer's fields on every instantiation: a ModelSerializer introspects its model each
time, and every serializer deep-copies its declared fields, which re-runs each field's __init__ with
deep copies of its arguments (6% of a web worker's CPU under the load mix, issue 12). Here a
ModelSerializer's fields are built once per class, and each instance gets a shallow clone of every
plain field (its own attributes, its own validator list; `bind()` then sets name, parent and source
on the clone, never on the prototype). Fields that hold other fields or a queryset (nested serializers,
list/dict fields, related fields) and fields with a mutable default are still deep-copied as DRF does,
so behaviour is that of declaring the fields by hand. Only for serializers whose fields do not depend on
the instance or context (override get_fields: don't use this).
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Model
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.relations import ManyRelatedField, RelatedField

_MT = TypeVar("_MT", bound=Model)
_IMMUTABLE = (type(None), bool, int, float, str, Decimal, tuple, frozenset)
# Fields with fields (or a queryset) inside: bound to their children or stateful, so copied as DRF does.
_DEEP = (serializers.BaseSerializer, serializers.ListField, serializers.DictField, RelatedField, ManyRelatedField)


def _field_copy(field: serializers.Field) -> serializers.Field:
    default = field.default
    if isinstance(field, _DEEP) or not (default is empty or callable(default) or isinstance(default, _IMMUTABLE)):
        return copy.deepcopy(field)
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    if "_validators" in clone.__dict__:
        clone.__dict__["_validators"] = list(clone.__dict__["_validators"])
    return clone


def fields_copy(fields: dict[str, Any]) -> dict[str, Any]:
    """What `copy.deepcopy(fields)` gives a serializer instance, at a fraction of the cost."""
    return {name: _field_copy(field) for name, field in fields.items()}


class Serializer(serializers.Serializer):
    def get_fields(self) -> dict[str, Any]:
        return fields_copy(self._declared_fields)


class ModelSerializer(serializers.ModelSerializer[_MT]):
    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            cls._built_fields = built  # type: ignore[attr-defined]
        return fields_copy(built)
