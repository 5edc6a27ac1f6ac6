from django.db import migrations
from pgvector.django import VectorExtension


class Migration(migrations.Migration):
    """pgvector, for the embeddings that ML grouping stores."""

    dependencies = [("monitor", "0001_initial")]
    operations = [VectorExtension()]
