"""ModelSerializer with its fields built once per class instead of once per response.

DRF's ModelSerializer introspects the model and builds every field on each instantiation: about half of
what a small response costs here (bench/profile_mix.py). Built once, the fields are deep-copied per
instance exactly as DRF copies declared fields, so behaviour is that of declaring them by hand. Only for
serializers whose fields do not depend on the instance or context (override get_fields: don't use this).
"""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from django.db.models import Model
from rest_framework import serializers

_MT = TypeVar("_MT", bound=Model)


class ModelSerializer(serializers.ModelSerializer[_MT]):
    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            cls._built_fields = built  # type: ignore[attr-defined]
        return copy.deepcopy(built)
