from django.db import models


class ReleaseUser(models.Model):
    """One end user seen in one release of a project: a keyed hash of the `user` tag value
    (never the identity itself), so that users per release is a count of an index range."""

    project = models.ForeignKey("monitor.Project", on_delete=models.CASCADE, related_name="+")
    release = models.CharField(max_length=200)
    user_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "release", "user_hash"],
                                    name="releaseuser_unique")
        ]

    def __str__(self) -> str:
        return f"{self.release}: {self.user_hash[:8]}"


class Cursor(models.Model):
    """How far beat has read the events table (the highest event id taken)."""

    name = models.CharField(max_length=32, primary_key=True)
    position = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} at {self.position}"
