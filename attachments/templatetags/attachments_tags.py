from django import template

from attachments.models import Attachment

register = template.Library()


@register.inclusion_tag("attachments/_event_attachments.html")
def event_attachments(event, project):
    rows = Attachment.objects.filter(project=project, event_id=event.event_id).defer("data")
    return {"attachments": list(rows.order_by("id")[:100]), "project": project}
