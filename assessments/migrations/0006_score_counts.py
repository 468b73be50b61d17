"""Completed assessments counted per overall score, kept by a trigger: a percentile reads ~101 rows, not every session.

The trigger runs for every way a row changes (the API, Airtable import, the admin, demo data, deletes), so the
counts stay exact without each writer remembering them. The existing sessions are counted once here.
"""

from django.db import migrations, models

COMPLETED = "('completed_awaiting_signup', 'linked')"

TRACK = f"""
CREATE FUNCTION assessments_score_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF OLD.status IN {COMPLETED} THEN
            UPDATE assessments_assessmentscorecount SET completed = completed - 1 WHERE score = OLD.overall_score;
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NEW.status IN {COMPLETED} THEN
            INSERT INTO assessments_assessmentscorecount (score, completed) VALUES (NEW.overall_score, 1)
            ON CONFLICT (score) DO UPDATE SET completed = assessments_assessmentscorecount.completed + 1;
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER assessments_score_counts_on_write AFTER INSERT OR DELETE ON assessments_assessmentsession
    FOR EACH ROW EXECUTE FUNCTION assessments_score_counts_track();
-- A save writes every column: only a change of membership or score touches the counts.
CREATE TRIGGER assessments_score_counts_on_update AFTER UPDATE OF status, overall_score ON assessments_assessmentsession
    FOR EACH ROW
    WHEN ((OLD.status IN {COMPLETED}) IS DISTINCT FROM (NEW.status IN {COMPLETED})
          OR OLD.overall_score IS DISTINCT FROM NEW.overall_score)
    EXECUTE FUNCTION assessments_score_counts_track();
INSERT INTO assessments_assessmentscorecount (score, completed)
    SELECT overall_score, count(*) FROM assessments_assessmentsession WHERE status IN {COMPLETED} GROUP BY 1;
"""

UNTRACK = """
DROP TRIGGER assessments_score_counts_on_update ON assessments_assessmentsession;
DROP TRIGGER assessments_score_counts_on_write ON assessments_assessmentsession;
DROP FUNCTION assessments_score_counts_track();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_assessmentsession_claim_secret_hash"),
    ]

    operations = [
        migrations.CreateModel(
            name="AssessmentScoreCount",
            fields=[
                ("score", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("completed", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.RunSQL(TRACK, UNTRACK),
    ]
