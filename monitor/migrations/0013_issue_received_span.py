"""Each issue's received span: the whole hours within which all of its events were received,
so that the issue page's and the API's event queries bound `received` and the planner reads
only the partitions the issue has events in (docs/storage.md). The database keeps it: a
statement trigger on monitor_event widens the span of the issues of inserted or updated rows
(ingest, a merge or an unmerge moving events, the ORM, COPY), whatever wrote them; deleting
events never narrows it (a wider span is still a bound). Existing issues are spanned from
their events here, in one pass over the table."""

from django.db import migrations, models

SPAN_OF_NEW_ROWS = """
    SELECT issue_id, date_trunc('hour', min(received)) AS low,
           date_trunc('hour', max(received)) + interval '1 hour' AS high
    FROM new_events GROUP BY issue_id
"""

OUTSIDE = ("(i.received_from IS NULL OR n.low < i.received_from"
           " OR n.high > i.received_until)")

FORWARD = f"""
CREATE FUNCTION monitor_event_issue_span() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
    -- the rows to widen, locked in id order (the order every writer of issues takes)
    PERFORM 1 FROM monitor_issue i JOIN ({SPAN_OF_NEW_ROWS}) n ON n.issue_id = i.id
        WHERE {OUTSIDE} ORDER BY i.id FOR NO KEY UPDATE OF i;
    UPDATE monitor_issue i SET received_from = LEAST(i.received_from, n.low),
                               received_until = GREATEST(i.received_until, n.high)
        FROM ({SPAN_OF_NEW_ROWS}) n WHERE n.issue_id = i.id AND {OUTSIDE};
    RETURN NULL;
END $f$;
CREATE TRIGGER monitor_event_issue_span_insert AFTER INSERT ON monitor_event
    REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT
    EXECUTE FUNCTION monitor_event_issue_span();
CREATE TRIGGER monitor_event_issue_span_update AFTER UPDATE ON monitor_event
    REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT
    EXECUTE FUNCTION monitor_event_issue_span();
UPDATE monitor_issue i SET received_from = s.low, received_until = s.high
    FROM (SELECT issue_id, date_trunc('hour', min(received)) AS low,
                 date_trunc('hour', max(received)) + interval '1 hour' AS high
          FROM monitor_event GROUP BY issue_id) s
    WHERE s.issue_id = i.id;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS monitor_event_issue_span_insert ON monitor_event;
DROP TRIGGER IF EXISTS monitor_event_issue_span_update ON monitor_event;
DROP FUNCTION IF EXISTS monitor_event_issue_span();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("monitor", "0012_issuetag_key_value_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="issue",
            name="received_from",
            field=models.DateTimeField(
                blank=True, editable=False, null=True,
                help_text="The hour its oldest stored event was received in (or earlier)."),
        ),
        migrations.AddField(
            model_name="issue",
            name="received_until",
            field=models.DateTimeField(
                blank=True, editable=False, null=True,
                help_text="After the hour its newest event was received in."),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
