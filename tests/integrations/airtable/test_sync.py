"""Sync jobs on real Celery workers (two processes) against the fake Airtable."""

from __future__ import annotations

import json
import time

import pytest
from rest_framework.test import APIClient

from assessments.models import AssessmentSession, MilestoneCompletion
from assessments.services.progress import progress_track
from assessments.services.sessions import assessment_sessions_link_for_user, assessment_submit
from integrations.airtable.models import (
    AirtableConflict,
    AirtableConnection,
    AirtableOutboundChange,
    AirtableRecordChange,
    AirtableSyncRun,
)
from integrations.airtable.outbox import airtable_change_enqueue
from integrations.airtable.services import (
    airtable_conflict_resolve,
    airtable_connection_create,
    airtable_outbox_flush,
)
from platform_core.models import Job, User
from tests.integrations.airtable.conftest import BASE, TOKEN
from tests.platform_core.factories import UserFactory
from tests.support.worker import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
AR = "Assessment Results"
RESPONSES = {f"q{i}": 1 + i % 4 for i in range(1, 15)}


def connect(user: User, *, token: str = TOKEN, entities: tuple[str, ...] | None = None) -> AirtableConnection:
    tables = [{"entity": e} for e in entities] if entities else None
    return airtable_connection_create(customer=user.customer, user=user, base_id=BASE, token=token, tables=tables)


def sync(user: User, connection: AirtableConnection, **body: str) -> AirtableSyncRun:
    client = APIClient()
    client.force_authenticate(user=user)
    response = client.post(f"/api/v1/integrations/airtable/connections/{connection.pk}/sync/", body, format="json")
    assert response.status_code == 202, response.content
    return finished(response.json()["id"])


def finished(run_id: str, timeout: float = 120) -> AirtableSyncRun:
    return wait_for(
        lambda: (run := AirtableSyncRun.objects.get(pk=run_id)).finished_at and run, timeout=timeout, what="sync run"
    )


def linked_session(user: User, session_id: str, company: str = "Acme") -> AssessmentSession:
    """An assessment taken on the platform and linked to the user's customer (the service path)."""
    assessment_submit(session_id=session_id, responses=RESPONSES, user_info={"email": user.email, "company": company})
    assessment_sessions_link_for_user(user=user)
    return AssessmentSession.objects.get(session_id=session_id)


def legacy_row(session_id: str, score: int = 70, company: str = "Legacy Co") -> dict:
    return {
        "Session ID": session_id,
        "Buyer Score": score - 5,
        "Tech Score": score + 5,
        "Overall Score": score,
        "Qualification": "Qualified",
        "User Info": json.dumps({"company": company, "email": "old@example.com"}),
        "Product Info": json.dumps({"product_name": "Legacy CRM"}),
    }


def test_two_way_round_trip(sync_workers, fake):
    owner = UserFactory()
    connection = connect(owner)
    fake.seed(BASE, AR, [legacy_row("legacy-1", 64), legacy_row("legacy-2", 81)])
    fake.seed(BASE, "User Progress", [{"Tool Name": "icp_analysis", "Progress Data": json.dumps({"completed": True})}])
    session = linked_session(owner, "platform-1")
    progress_track(customer=owner.customer, action="customer_created")  # completes initial_setup
    assert AirtableOutboundChange.objects.filter(connection=connection, sent_at__isnull=True).count() == 2

    run = sync(owner, connection)

    assert run.status == "succeeded", (run.error_code, run.error)
    # Airtable -> platform: the legacy assessments imported for this customer, the milestone completed.
    imported = AssessmentSession.objects.get(session_id="legacy-2")
    assert (imported.customer_id, imported.status, imported.overall_score) == (owner.customer_id, "linked", 81)
    assert imported.company_name == "Legacy Co" and imported.product_name == "Legacy CRM"
    assert MilestoneCompletion.objects.filter(customer_id=owner.customer_id, milestone="icp_analysis").exists()
    # Platform -> Airtable: the platform's assessment and milestone, upserted by their keys.
    pushed = fake.find(BASE, AR, "Session ID", "platform-1")["fields"]
    assert pushed["Overall Score"] == session.overall_score and json.loads(pushed["User Info"])["company"] == "Acme"
    progress = {r["Tool Name"]: r for r in fake.rows(BASE, "User Progress")}
    assert json.loads(progress["initial_setup"]["Progress Data"])["completed"] is True
    assert progress["initial_setup"]["Customer ID"] == str(owner.customer_id)
    # The customer's assets row (push only) was not asked for: no ICP yet, no change queued.
    assert run.records_created >= 5 and run.errors == 0 and run.conflicts == 0
    assert run.requests > 0 and run.rate_limited == 0
    actions = set(AirtableRecordChange.objects.filter(run=run).values_list("direction", "key", "action"))
    assert {
        ("pull", "legacy-2", "created"),
        ("push", "platform-1", "created"),
        ("push", "initial_setup", "created"),
    } <= actions
    assert not AirtableOutboundChange.objects.filter(connection=connection, sent_at__isnull=True).exists()
    jobs = Job.objects.filter(pk__in=run.job_ids)
    assert {j.status for j in jobs} == {"succeeded"} and len(jobs) == 3

    # Nothing changed since: the next incremental run writes nothing on either side.
    again = sync(owner, connection)
    assert again.status == "succeeded"
    assert (again.records_created, again.records_updated, again.conflicts, again.errors) == (0, 0, 0, 0)
    assert AssessmentSession.objects.filter(customer_id=owner.customer_id).count() == 3


def test_conflicts_are_settled_by_each_rule_and_recorded(sync_workers, fake):
    owner = UserFactory()
    connection = connect(owner, entities=("assessment_result",))
    fake.seed(
        BASE,
        AR,
        [
            legacy_row("s-platform", 60),
            legacy_row("s-airtable", 60),
            legacy_row("s-latest", 60),
            legacy_row("s-latest-2", 60),
        ],
    )
    sync(owner, connection)

    def platform_change(session_id: str, **fields) -> None:
        airtable_change_enqueue(customer=owner.customer, entity="assessment_result", key=session_id, fields=fields)

    # Score (rule: platform wins) changed on both sides.
    fake.edit(BASE, AR, where=("Session ID", "s-platform"), fields={"Overall Score": 99})
    platform_change("s-platform", overall_score=75)
    # User Info (rule: Airtable wins, staff correct it there).
    platform_change("s-airtable", user_info={"company": "Platform Inc"})
    fake.edit(
        BASE, AR, where=("Session ID", "s-airtable"), fields={"User Info": json.dumps({"company": "Staff Fixed"})}
    )
    # Product Info (rule: latest writer): Airtable later on one record, the platform later on the other.
    platform_change("s-latest", product_info={"product_name": "From platform"})
    time.sleep(0.05)
    fake.edit(
        BASE,
        AR,
        where=("Session ID", "s-latest"),
        fields={"Product Info": json.dumps({"product_name": "From Airtable"})},
    )
    fake.edit(
        BASE,
        AR,
        where=("Session ID", "s-latest-2"),
        fields={"Product Info": json.dumps({"product_name": "Airtable early"})},
    )
    time.sleep(0.05)
    platform_change("s-latest-2", product_info={"product_name": "Platform late"})

    run = sync(owner, connection)

    assert run.status == "succeeded" and run.conflicts == 4
    conflicts = {c.key: c for c in AirtableConflict.objects.filter(run=run)}
    assert (conflicts["s-platform"].winner, conflicts["s-platform"].rule) == ("platform", "platform")
    assert (conflicts["s-platform"].platform_value, conflicts["s-platform"].airtable_value) == (75, 99)
    assert (conflicts["s-airtable"].winner, conflicts["s-airtable"].rule) == ("airtable", "airtable")
    assert (conflicts["s-latest"].winner, conflicts["s-latest-2"].winner) == ("airtable", "platform")
    assert "Last writer wins" in conflicts["s-latest"].reason and conflicts["s-latest"].airtable_changed_at
    # What each side holds now.
    assert fake.find(BASE, AR, "Session ID", "s-platform")["fields"]["Overall Score"] == 75
    assert (
        json.loads(fake.find(BASE, AR, "Session ID", "s-airtable")["fields"]["User Info"])["company"] == "Staff Fixed"
    )
    assert AssessmentSession.objects.get(session_id="s-airtable").company_name == "Staff Fixed"
    assert AssessmentSession.objects.get(session_id="s-latest").product_name == "From Airtable"
    assert (
        json.loads(fake.find(BASE, AR, "Session ID", "s-latest-2")["fields"]["Product Info"])["product_name"]
        == "Platform late"
    )

    # The API lists them; staff re-resolve one (keep the platform's value) and the next push applies it.
    client = APIClient()
    client.force_authenticate(user=owner)
    listed = client.get(f"/api/v1/integrations/airtable/connections/{connection.pk}/conflicts/").json()
    assert listed["count"] == 4 and {c["winner"] for c in listed["results"]} == {"platform", "airtable"}
    staff = UserFactory(customer=None, is_staff=True)
    resolved = airtable_conflict_resolve(conflict=conflicts["s-airtable"], winner="platform", user=staff)
    assert resolved.resolved_by == staff and "Re-resolved" in resolved.reason
    sync(owner, connection, direction="push")
    assert (
        json.loads(fake.find(BASE, AR, "Session ID", "s-airtable")["fields"]["User Info"])["company"] == "Platform Inc"
    )


def test_a_429_pauses_the_base_for_every_worker(sync_workers, fake):
    """Two customers on one base, each synced by its own worker: the 429 one of them gets stops both."""
    second_token = "patTEST.second-token"
    fake.tokens.add(second_token)
    fake.seed(BASE, AR, [legacy_row(f"s-{i}", 50) for i in range(1500)])
    owners = [UserFactory(), UserFactory()]
    connections = [
        connect(owners[0], entities=("assessment_result",)),
        connect(owners[1], token=second_token, entities=("assessment_result",)),
    ]
    client = APIClient()
    run_ids = []
    for owner, connection in zip(owners, connections, strict=True):
        client.force_authenticate(user=owner)
        body = {"direction": "pull", "mode": "full"}
        run_ids.append(
            client.post(f"/api/v1/integrations/airtable/connections/{connection.pk}/sync/", body, format="json").json()[
                "id"
            ]
        )
    # Both are running on their workers (each token has been seen), then Airtable answers one 429.
    wait_for(lambda: {r.token for r in fake.requests_for(BASE)} >= {TOKEN, second_token}, timeout=60, what="both syncs")
    fake.fail_next("429", base=BASE)
    runs = [finished(run_id, timeout=180) for run_id in run_ids]

    assert [r.status for r in runs] == ["succeeded", "succeeded"]
    assert sum(r.rate_limited for r in runs) == 1 and fake.status_counts[429] == 1 and fake.over_limit_base == 0
    assert [r.records_read for r in runs] == [1500, 1500]
    log = fake.requests_for(BASE)
    limited_at = next(r.at for r in log if r.status == 429)
    # Nobody (neither worker, neither token) sent to the base while it was paused (2 s in these tests);
    # requests already on their way when the 429 came may land just after it.
    assert [r for r in log if limited_at + 0.5 < r.at < limited_at + 1.9] == []
    for token in (TOKEN, second_token):
        assert any(r.at > limited_at + 1.9 for r in log if r.token == token)
    assert fake.max_per_second(BASE) <= 5


def test_a_record_airtable_rejects_is_recorded_and_the_rest_of_its_batch_goes_through(sync_workers, fake):
    owner = UserFactory()
    connection = connect(owner, entities=("assessment_result",))
    fake.table(BASE, AR).fields["Qualification"] = "number"  # so a text qualification is refused (422)
    for i in range(10):
        linked_session(owner, f"push-{i}")
    AssessmentSession.objects.filter(session_id__in=[f"push-{i}" for i in range(10) if i != 3]).update(qualification="")
    for i in range(10):
        s = AssessmentSession.objects.get(session_id=f"push-{i}")
        from assessments.airtable_sync import assessment_result_values

        AirtableOutboundChange.objects.filter(key=s.session_id).update(fields=assessment_result_values(s))

    run = sync(owner, connection, direction="push")

    assert run.status == "succeeded" and run.errors == 1 and run.records_created == 9
    assert sorted(r["Session ID"] for r in fake.rows(BASE, AR)) == sorted(f"push-{i}" for i in range(10) if i != 3)
    failed = AirtableRecordChange.objects.get(run=run, action="failed")
    assert failed.key == "push-3" and "Qualification" in failed.error
    upserts = [r for r in fake.requests_for(BASE) if r.method == "PATCH"]
    assert [r.status for r in upserts].count(422) == 2  # the batch of 10, then push-3 alone
    assert len(upserts) == 11


def test_a_pulled_value_the_platform_refuses_is_skipped_and_nothing_half_written(sync_workers, fake):
    owner = UserFactory()
    connection = connect(owner, entities=("assessment_result",))
    fake.seed(BASE, AR, [legacy_row("ok-1"), {**legacy_row("bad-1"), "Overall Score": 150}, legacy_row("ok-2")])
    run = sync(owner, connection, direction="pull")
    assert run.status == "succeeded" and run.errors == 1 and run.records_created == 2
    assert not AssessmentSession.objects.filter(session_id="bad-1").exists()
    assert "overall_score" in AirtableRecordChange.objects.get(run=run, key="bad-1", action="failed").error


def test_incremental_sync_reads_only_changed_records(sync_workers, fake):
    owner = UserFactory()
    connection = connect(owner, entities=("assessment_result",))
    fake.seed(BASE, AR, [legacy_row(f"s-{i}", 40) for i in range(350)])
    first = sync(owner, connection, direction="pull")
    assert first.records_read == 350 and first.records_created == 350
    for i in (5, 123, 301):
        fake.edit(
            BASE, AR, where=("Session ID", f"s-{i}"), fields={"Product Info": json.dumps({"product_name": f"v{i}"})}
        )
    fake.reset_counters()

    run = sync(owner, connection, direction="pull")

    assert run.records_read == 3 and run.records_updated == 3 and run.records_created == 0
    assert run.requests == 2  # the schema check and one page
    assert len(fake.requests_for(BASE)) == 2
    assert AssessmentSession.objects.get(session_id="s-123").product_name == "v123"


def test_a_revoked_token_or_a_removed_field_fails_the_run_with_its_code(sync_workers, fake):
    owner = UserFactory()
    connection = connect(owner, token="patTEST.revoked", entities=("assessment_result",))
    run = sync(owner, connection)
    assert (run.status, run.error_code) == ("failed", "airtable_unauthorized")
    job = wait_for(lambda: (j := Job.objects.get(pk=run.job_ids[0])).finished_at and j, what="the job's end")
    assert (job.status, job.error_code) == ("failed", "airtable_unauthorized")
    connection.refresh_from_db()
    assert (connection.status, connection.last_error_code) == ("failing", "airtable_unauthorized")

    other = UserFactory()
    connection = connect(other, entities=("assessment_result",))
    del fake.table(BASE, AR).fields["Generated Content"]
    run = sync(other, connection)
    assert (run.status, run.error_code) == ("failed", "airtable_schema_mismatch")
    assert "Generated Content" in run.error


def test_the_outbox_flush_pushes_waiting_platform_changes_and_skips_customers_without_airtable(sync_workers, fake):
    owner, bystander = UserFactory(), UserFactory()
    connection = connect(owner, entities=("assessment_result",))
    linked_session(owner, "flushed-1")
    linked_session(bystander, "not-synced-1")  # no Airtable connection: nothing is queued for it
    assert list(AirtableOutboundChange.objects.values_list("key", flat=True)) == ["flushed-1"]

    assert airtable_outbox_flush() == 1
    run = finished(str(AirtableSyncRun.objects.get(connection=connection).pk))

    assert (run.trigger, run.direction, run.status, run.records_created) == ("schedule", "push", "succeeded", 1)
    assert [r["Session ID"] for r in fake.rows(BASE, AR)] == ["flushed-1"]
    assert airtable_outbox_flush() == 0  # nothing waits any more
