from django import template

from feedback.queries import for_issue

register = template.Library()


@register.inclusion_tag("feedback/_issue_feedback.html")
def issue_feedback(issue):
    return {"feedback": list(for_issue(issue)[:50])}
