from rest_framework import serializers

from integrations.research.models import CompanyProfile
from platform_core.api.fields import ModelSerializer, Serializer


class ScreenshotInputSerializer(Serializer):
    # A plain string: the URL rules (fetch_rules.url_check) answer invalid_url / url_not_allowed themselves.
    url = serializers.CharField(max_length=2000, allow_blank=True)
    full_page = serializers.BooleanField(default=False)
    timeout_seconds = serializers.FloatField(
        min_value=1, required=False, help_text="Page timeout, at most BROWSER_PAGE_TIMEOUT_S"
    )


class CompanyResearchInputSerializer(Serializer):
    url = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    domain = serializers.CharField(max_length=253, required=False, allow_blank=True)
    depth = serializers.IntegerField(min_value=0, max_value=1, default=1)
    refresh = serializers.BooleanField(default=False, help_text="Visit again even when a fresh profile exists")


class CompanyProfileSerializer(ModelSerializer[CompanyProfile]):
    class Meta:
        model = CompanyProfile
        fields = [
            "id", "domain", "url", "status", "error_message", "http_status", "title", "description", "headings",
            "excerpts", "signals", "sources", "fetched_at",
        ]  # fmt: skip


class ScreenshotResultSerializer(Serializer):
    """A screenshot job's result, and GET .../screenshots/{id} with a fresh link (services.screenshot_result)."""

    screenshot_id = serializers.UUIDField()
    url = serializers.CharField()
    final_url = serializers.CharField()
    full_page = serializers.BooleanField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    size = serializers.IntegerField()
    download_url = serializers.CharField(help_text="Signed; valid until expiresAt")
    expires_at = serializers.DateTimeField()


class ProfileErrorSerializer(Serializer):
    code = serializers.CharField(help_text="site_unreachable | blocked_by_robots | url_not_allowed")
    message = serializers.CharField()
    status = serializers.IntegerField(allow_null=True, help_text="The site's HTTP status, when it answered")


class CompanyProfileResultSerializer(Serializer):
    """A company research job's result, and GET .../companies/{id} (services.profile_result)."""

    profile_id = serializers.UUIDField()
    domain = serializers.CharField()
    url = serializers.CharField()
    status = serializers.ChoiceField(choices=CompanyProfile.Status.choices)
    title = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    headings = serializers.ListField(child=serializers.CharField())
    excerpts = serializers.ListField(child=serializers.DictField(), help_text="[{url, text}]")
    signals = serializers.DictField(help_text="pricing_model, employee_count_hints, industries, technologies, ...")
    sources = serializers.ListField(child=serializers.DictField(), help_text="[{url, section, status, title}]")
    fetched_at = serializers.DateTimeField()
    screenshot_url = serializers.CharField(allow_null=True)
    error = ProfileErrorSerializer(required=False, help_text="Only when status is not ok")
