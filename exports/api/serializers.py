from typing import Any

from rest_framework import serializers

from exports.documents import DOCUMENT_TYPES
from exports.models import HEX_COLOR, Branding, Export
from exports.renderers import FORMATS
from platform_core.api.fields import ModelSerializer, Serializer


class ExportRequestSerializer(Serializer):
    document = serializers.CharField(max_length=64)
    format = serializers.ChoiceField(choices=sorted(FORMATS))
    ids = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=50)
    sections = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=20)

    def validate_document(self, value: str) -> str:
        if value not in DOCUMENT_TYPES:
            choices = ", ".join(sorted(DOCUMENT_TYPES)) or "none yet"
            raise serializers.ValidationError(f"Unknown document; one of: {choices}.", code="invalid_choice")
        return value


class ExportSerializer(ModelSerializer[Export]):
    status = serializers.CharField(read_only=True)
    progress = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    job_id = serializers.UUIDField(read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = [
            "id", "document", "format", "title", "params", "status", "progress", "error", "job_id", "file_name",
            "content_type", "size", "download_url", "download_count", "created_at", "ready_at", "expires_at",
        ]  # fmt: skip

    def get_progress(self, export: Export) -> int:
        if export.ready_at is not None:
            return 100
        return export.job.progress if export.job else 0

    def get_error(self, export: Export) -> dict[str, str] | None:
        job = export.job
        return {"code": job.error_code, "message": job.error} if job and job.error_code else None

    def get_download_url(self, export: Export) -> str | None:
        return f"/api/v1/exports/{export.id}/download" if export.status == Export.Status.READY else None


class DocumentTypeSerializer(Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    formats = serializers.ListField(child=serializers.CharField())

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {
            "name": instance.name,
            "title": instance.title,
            "description": instance.description,
            "formats": list(instance.formats),
        }


class DownloadLinkSerializer(Serializer):
    url = serializers.CharField()
    expires_at = serializers.DateTimeField()


LOGO_MAX_BYTES = 2 * 1024 * 1024
# A small file can decode to a huge image (a decompression bomb): every render would load it whole.
LOGO_MAX_PIXELS = 4096 * 4096


class BrandingInputSerializer(Serializer):
    color = serializers.RegexField(HEX_COLOR, required=False, error_messages={"invalid": "Use # and six hex digits."})
    logo = serializers.ImageField(required=False)
    remove_logo = serializers.BooleanField(required=False, default=False)

    def validate_logo(self, logo: Any) -> Any:
        if logo.size > LOGO_MAX_BYTES:
            raise serializers.ValidationError("A logo may be at most 2 MB.", code="too_large")
        width, height = logo.image.size  # read by ImageField from the header, before any pixel is decoded
        if width * height > LOGO_MAX_PIXELS:
            raise serializers.ValidationError("A logo may be at most 4096 x 4096 pixels.", code="too_many_pixels")
        return logo


class BrandingSerializer(ModelSerializer[Branding]):
    has_logo = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Null until first changed.")

    class Meta:
        model = Branding
        fields = ["color", "has_logo", "updated_at"]

    def get_has_logo(self, branding: Branding) -> bool:
        return bool(branding.logo)
