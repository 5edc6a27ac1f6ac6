"""Comments on an issue, shared by the issue page and the API; each is an activity entry.
(Assigning, ignoring and resolving change the issue's state: monitor.state.)"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from alerts import activity
from alerts.models import Activity, Comment
from monitor import limits
from monitor.models import Issue


def comment(issue: Issue, user, text: str) -> Comment:
    text = (text or "").strip()
    if not text or len(text) > limits.ISSUE_COMMENT_CHARS:
        raise ValidationError({"text": f"1 to {limits.ISSUE_COMMENT_CHARS} characters"})
    note = Comment.objects.create(issue=issue, user=user, text=text)
    activity.log(issue.id, Activity.Kind.COMMENTED, user, comment=note.id, excerpt=text[:120])
    return note
