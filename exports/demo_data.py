"""The demo customer's export: the comprehensive report as a PDF, rendered now and in storage (seed_demo).

A new one is requested only when the demo customer has no export that is ready or on its way (an
earlier one expires after EXPORT_RETENTION_HOURS), so a rerun changes nothing.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from exports.documents import document_type_get
from exports.selectors import export_list_for_user
from exports.services import export_request
from platform_core.demo import Demo, demo_job_run, demo_seeder_register
from platform_core.models import Job

DEMO_DOCUMENT, DEMO_FORMAT = "comprehensive-report", "pdf"


@demo_seeder_register("exports")
def seed(demo: Demo) -> list[str]:
    live = export_list_for_user(user=demo.owner).filter(
        Q(expires_at__gt=timezone.now(), purged_at__isnull=True) | Q(ready_at__isnull=True, job__status__in=Job.ACTIVE)
    )
    if current := live.first():
        return [f"export {current.file_name}: kept"]
    if not document_type_get(DEMO_DOCUMENT).available(demo.customer):
        return ["export: nothing to export yet"]
    export = export_request(user=demo.owner, document=DEMO_DOCUMENT, format=DEMO_FORMAT, params={})
    assert export.job is not None
    job = demo_job_run(export.job)
    if job.status != Job.Status.SUCCEEDED:
        return [f"export {export.file_name}: not rendered now ({job.error_code or job.status}); a worker retries it"]
    export.refresh_from_db()
    return [f"export {export.file_name}: rendered, {export.size} bytes in storage"]
