"""The issues that have a tag value, all at once (a search term ORed with another, e.g.
`user:` by email: docs/benchmarks.md). Built concurrently: writes go on while it builds."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("monitor", "0011_event_stream_and_user_search_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="issuetag",
            index=models.Index(fields=["key", "value"], name="issuetag_key_value_idx"),
        ),
    ]
