from django import template

from sourcemaps.models import OrgAuthToken

register = template.Library()


@register.inclusion_tag("sourcemaps/_org_tokens.html", takes_context=True)
def org_tokens(context, organization, can_manage: bool):
    """The organisation's auth tokens (managers create and revoke them)."""
    return {"organization": organization, "can_manage": can_manage, "csrf_token":
            context.get("csrf_token"), "tokens": OrgAuthToken.objects.filter(
                organization=organization).order_by("-created_at")}
