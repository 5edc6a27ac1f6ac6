"""An issue with tag-count rows, written through the ORM (the database's triggers see them as
ingest's writes)."""

from django.utils import timezone

from monitor.models import Issue, IssueTag, Project


def issue_with_tags(project: Project, title: str, **tags: str) -> Issue:
    now = timezone.now()
    issue = Issue.objects.create(project=project, title=title, first_seen=now, last_seen=now)
    for key, value in tags.items():
        IssueTag.objects.create(issue=issue, key=key, value=value, times_seen=1, first_seen=now,
                                last_seen=now)
    return issue
