from rest_framework import serializers

from integrations.research.models import CompanyProfile
from platform_core.api.fields import ModelSerializer


class ScreenshotInputSerializer(serializers.Serializer):
    # A plain string: the URL rules (fetch_rules.url_check) answer invalid_url / url_not_allowed themselves.
    url = serializers.CharField(max_length=2000, allow_blank=True)
    full_page = serializers.BooleanField(default=False)
    timeout_seconds = serializers.FloatField(
        min_value=1, required=False, help_text="Page timeout, at most BROWSER_PAGE_TIMEOUT_S"
    )


class CompanyResearchInputSerializer(serializers.Serializer):
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
