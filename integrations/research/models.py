"""What research found: a customer's profile of a company, and screenshots (files in the default storage)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from platform_core.models import Customer, Job


class CompanyProfile(models.Model):
    """A company's site as this customer's research last saw it; re-used for RESEARCH_CACHE_HOURS."""

    class Status(models.TextChoices):
        OK = "ok", "Researched"
        UNREACHABLE = "site_unreachable", "Site unreachable"
        BLOCKED = "blocked_by_robots", "Blocked by robots.txt"
        NOT_ALLOWED = "url_not_allowed", "Address not allowed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="company_profiles")
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    domain = models.CharField(max_length=253)
    url = models.URLField(max_length=2000)
    status = models.CharField(max_length=20, choices=Status.choices)
    error_message = models.TextField(blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    headings = models.JSONField(default=list)
    excerpts = models.JSONField(default=list, help_text="[{url, text}] sentences as the pages show them")
    signals = models.JSONField(default=dict, help_text="pricing model, employee hints, industries, technologies, logos")
    sources = models.JSONField(default=list, help_text="[{url, section, status, title}] every page visited")
    screenshot_key = models.CharField(max_length=300, blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-fetched_at"]
        constraints = [models.UniqueConstraint(fields=["customer", "domain"], name="company_profile_customer_domain")]

    def __str__(self) -> str:
        return f"{self.domain} ({self.status})"


class Screenshot(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="screenshots")
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    url = models.URLField(max_length=2000)
    final_url = models.URLField(max_length=2000)
    full_page = models.BooleanField(default=False)
    file_key = models.CharField(max_length=300)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["customer", "created_at"], name="screenshot_customer_created")]

    def __str__(self) -> str:
        return f"screenshot of {self.url}"
