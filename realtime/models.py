"""Analytics storage: the partitioned events table (unmanaged: created by migration 0001 in SQL,
since Django cannot declare a partitioned table) and the rollups folded from it."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models


class AnalyticsEvent(models.Model):
    """One thing a user did. Append-only, range-partitioned by day on `occurred_at`; no foreign keys
    (rows outlive deleted customers until retention drops their partition, and a batch never fails
    on one bad reference)."""

    id = models.BigIntegerField(primary_key=True)  # (id, occurred_at) is the table's real key
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()
    customer_id = models.BigIntegerField(null=True)
    user_id = models.BigIntegerField(null=True)
    type = models.CharField(max_length=64)
    properties = models.JSONField(default=dict)
    source = models.CharField(max_length=10)

    class Meta:
        managed = False
        db_table = "realtime_analytics_event"

    def __str__(self) -> str:
        return f"{self.type} @ {self.occurred_at:%Y-%m-%d %H:%M:%S}"


class AnalyticsRollup(models.Model):
    """Events per bucket (minute, hour, day), customer and type; `value_sum` adds the events'
    numeric `value` property (an assessment's score, an AI call's cost)."""

    class Granularity(models.TextChoices):
        MINUTE = "minute", "Minute"
        HOUR = "hour", "Hour"
        DAY = "day", "Day"

    granularity = models.CharField(max_length=6, choices=Granularity.choices)
    bucket = models.DateTimeField()
    customer_id = models.BigIntegerField(null=True)
    type = models.CharField(max_length=64)
    count = models.BigIntegerField(default=0)
    value_sum = models.FloatField(default=0)

    class Meta:
        db_table = "realtime_analytics_rollup"
        constraints = [
            models.UniqueConstraint(
                fields=["granularity", "customer_id", "type", "bucket"],
                name="analytics_rollup_key",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["granularity", "bucket"], name="analytics_rollup_bucket")]

    def __str__(self) -> str:
        return f"{self.granularity} {self.bucket:%Y-%m-%d %H:%M} {self.type}: {self.count}"


class AnalyticsActiveDay(models.Model):
    """Who was active on a UTC day for one customer: one row per customer and day holding the user
    ids, so active users stay exact distinct counts and a fold touches one row per customer-day,
    not one per user (migration 0002 stores the array uncompressed: re-compressing it on every
    fold cost more than the rest of the fold)."""

    day = models.DateField()
    customer_id = models.BigIntegerField(null=True)
    user_ids = ArrayField(models.BigIntegerField())

    class Meta:
        db_table = "realtime_analytics_active_day"
        constraints = [
            models.UniqueConstraint(
                fields=["customer_id", "day"], name="analytics_active_day_key", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return f"{self.day}: {len(self.user_ids)} users"


class AnalyticsFold(models.Model):
    """How far the rollups have folded in events (by `received_at`): the one row is the watermark."""

    name = models.CharField(max_length=40, primary_key=True)
    folded_until = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "realtime_analytics_fold"

    def __str__(self) -> str:
        return f"{self.name}: {self.folded_until:%Y-%m-%d %H:%M:%S}"
