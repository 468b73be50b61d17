"""Generated documents: one Export per request, its file in the default storage until it expires."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from platform_core.models import Customer, Job, User

HEX_COLOR = r"^#[0-9A-Fa-f]{6}$"


class Export(models.Model):
    """A document rendered in one format for one customer; the Job carries its progress and failure."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="exports")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="exports")
    job = models.OneToOneField(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="export")
    document = models.CharField(max_length=64, help_text="A document type of exports.documents.")
    format = models.CharField(max_length=16)
    params = models.JSONField(default=dict, blank=True, help_text="Which records and sections, as requested.")
    title = models.CharField(max_length=255, blank=True)
    # Decided at creation, so a retry overwrites the same object and cleanup knows what to delete.
    file_key = models.CharField(max_length=500)
    file_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField(null=True, blank=True)
    etag = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Set once cleanup removed the file (expired, or the leftovers of a failed render).
    purged_at = models.DateTimeField(null=True, blank=True)
    download_count = models.PositiveIntegerField(default=0)
    last_downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="export_customer_created"),
            models.Index(fields=["purged_at", "expires_at"], name="export_purge_due"),
        ]

    def __str__(self) -> str:
        return f"{self.document}.{self.format} {self.id}"

    @property
    def status(self) -> str:
        """Derived, never stored: the job says how the render went, the dates whether the file is still there."""
        if self.ready_at is not None:
            expired = self.purged_at is not None or (self.expires_at is not None and self.expires_at <= timezone.now())
            return self.Status.EXPIRED if expired else self.Status.READY
        if self.job is None:
            return self.Status.FAILED
        if self.job.status == Job.Status.SUCCEEDED:  # finished but not marked ready: cannot happen in one transaction
            return self.Status.FAILED
        return self.job.status


def logo_upload_to(branding: Branding, filename: str) -> str:
    """Per customer and per upload: S3 overwrites same-named objects, so names never repeat."""
    return f"branding/{branding.customer_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class Branding(models.Model):
    """A customer's brand on PDF and DOCX exports: a header colour and, when set, a logo."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="export_branding")
    color = models.CharField(
        max_length=7, default="#1F3A5F", help_text="Hex colour, e.g. #1F3A5F.",
        validators=[RegexValidator(HEX_COLOR, "A colour is # and six hex digits, e.g. #1F3A5F.")],
    )  # fmt: skip
    logo = models.ImageField(upload_to=logo_upload_to, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "brandings"

    def __str__(self) -> str:
        return f"Branding of {self.customer}"
