from rest_framework import serializers

from integrations.airtable.models import (
    AirtableConflict,
    AirtableConnection,
    AirtableRecordChange,
    AirtableSyncRun,
    AirtableTableMapping,
    Direction,
)
from platform_core.api.fields import Serializer

BASE_ID_RE = r"^app[A-Za-z0-9]{14}$"


class TableMappingSerializer(serializers.ModelSerializer):
    class Meta:
        model = AirtableTableMapping
        fields = ["entity", "table_name", "key_field", "modified_field", "direction", "enabled", "fields", "cursor"]
        read_only_fields = fields


class TableMappingInputSerializer(Serializer):
    entity = serializers.CharField(max_length=40)
    table_name = serializers.CharField(max_length=200, required=False)
    key_field = serializers.CharField(max_length=200, required=False)
    modified_field = serializers.CharField(max_length=200, required=False)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    enabled = serializers.BooleanField(required=False)
    fields = serializers.JSONField(required=False)  # type: ignore[assignment]


class ConnectionSerializer(serializers.ModelSerializer):
    """Never the token: only whether one is stored."""

    token_set = serializers.SerializerMethodField()
    tables = TableMappingSerializer(many=True, read_only=True)

    class Meta:
        model = AirtableConnection
        fields = [
            "id",
            "name",
            "base_id",
            "status",
            "last_error_code",
            "last_error",
            "last_checked_at",
            "token_set",
            "tables",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_token_set(self, obj: AirtableConnection) -> bool:
        return bool(obj.token_encrypted)


class ConnectionInputSerializer(Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    base_id = serializers.RegexField(BASE_ID_RE, max_length=17)
    token = serializers.CharField(max_length=500, min_length=10, write_only=True, trim_whitespace=True)
    tables = TableMappingInputSerializer(many=True, required=False)


class ConnectionUpdateSerializer(Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    token = serializers.CharField(max_length=500, min_length=10, write_only=True, required=False)
    status = serializers.ChoiceField(choices=[("active", "Active"), ("paused", "Paused")], required=False)
    tables = TableMappingInputSerializer(many=True, required=False)


class SyncInputSerializer(Serializer):
    direction = serializers.ChoiceField(choices=Direction.choices, default=Direction.BOTH)
    mode = serializers.ChoiceField(choices=AirtableSyncRun.Mode.choices, default=AirtableSyncRun.Mode.INCREMENTAL)


class SyncRunSerializer(serializers.ModelSerializer):
    started_by: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = AirtableSyncRun
        fields = [
            "id",
            "connection",
            "started_by",
            "trigger",
            "direction",
            "mode",
            "status",
            "job_ids",
            "parts_total",
            "parts_done",
            "parts_failed",
            "records_read",
            "records_created",
            "records_updated",
            "records_skipped",
            "conflicts",
            "errors",
            "requests",
            "rate_limited",
            "error_code",
            "error",
            "started_at",
            "finished_at",
            "duration_ms",
        ]
        read_only_fields = fields


class RecordChangeSerializer(serializers.ModelSerializer):
    direction = serializers.CharField(read_only=True, help_text="pull or push")

    class Meta:
        model = AirtableRecordChange
        fields = ["id", "direction", "entity", "key", "airtable_record_id", "action", "changes", "error", "created_at"]
        read_only_fields = fields


class ConflictSerializer(serializers.ModelSerializer):
    class Meta:
        model = AirtableConflict
        fields = [
            "id",
            "run",
            "entity",
            "key",
            "field",
            "platform_value",
            "airtable_value",
            "platform_changed_at",
            "airtable_changed_at",
            "rule",
            "winner",
            "reason",
            "resolved_at",
            "created_at",
        ]
        read_only_fields = fields
