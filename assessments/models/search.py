"""A stored tsvector column kept by PostgreSQL itself (a generated column), so no code can forget it."""

from typing import Any

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models

SEARCH_CONFIG = "english"


def search_vector_field(*weighted: tuple[str, str]) -> models.GeneratedField:
    """`weighted` pairs (field, weight A-D); the title-like field should carry A."""
    vectors = [SearchVector(name, weight=weight, config=SEARCH_CONFIG) for name, weight in weighted]
    vector: Any = vectors[0]
    for more in vectors[1:]:
        vector = vector + more
    return models.GeneratedField(expression=vector, output_field=SearchVectorField(), db_persist=True)
