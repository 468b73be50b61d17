"""The dashboard's shape for the OpenAPI schema (the selector builds the dict; nothing is serialized here)."""

from rest_framework import serializers

from platform_core.api.fields import Serializer
from realtime.analytics.selectors import RANGES
from realtime.models import AnalyticsRollup

_BUCKET = "Bucket start (ISO 8601)"


class AnalyticsCountPointSerializer(Serializer):
    t = serializers.CharField(help_text=_BUCKET)
    count = serializers.IntegerField()


class AnalyticsScorePointSerializer(Serializer):
    t = serializers.CharField(help_text=_BUCKET)
    score = serializers.FloatField()


class AnalyticsSeriesSerializer(Serializer):
    type = serializers.CharField()
    points = AnalyticsCountPointSerializer(many=True)


class AnalyticsTotalsSerializer(Serializer):
    events = serializers.IntegerField()
    by_type = serializers.DictField(child=serializers.IntegerField(), help_text="Count per event type")
    active_users = serializers.IntegerField()


class AnalyticsMetricsSerializer(Serializer):
    assessment_completion_rate = serializers.FloatField(allow_null=True)
    score_trend = AnalyticsScorePointSerializer(many=True)
    tool_usage = serializers.IntegerField()
    exports = serializers.IntegerField()
    downloads = serializers.IntegerField()
    ai_generations = serializers.IntegerField()
    ai_cost_usd = serializers.FloatField()
    time_to_first_value_hours = serializers.FloatField(allow_null=True)


# A class statement cannot name a field `from`: the same class, built from a dict.
AnalyticsDashboardSerializer = type(
    "AnalyticsDashboardSerializer",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "range": serializers.ChoiceField(choices=list(RANGES)),
        "from": serializers.DateTimeField(),
        "to": serializers.DateTimeField(),
        "granularity": serializers.ChoiceField(choices=AnalyticsRollup.Granularity.choices),
        "source": serializers.ChoiceField(choices=["primary", "replica"], help_text="Which server answered"),
        "as_of": serializers.DateTimeField(allow_null=True, help_text="Events folded up to here; null before any"),
        "totals": AnalyticsTotalsSerializer(),
        "series": AnalyticsSeriesSerializer(many=True),
        "active_users": AnalyticsCountPointSerializer(many=True),
        "metrics": AnalyticsMetricsSerializer(),
    },
)
