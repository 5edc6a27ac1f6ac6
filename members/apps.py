from django.apps import AppConfig


class MembersConfig(AppConfig):
    """How people join an organisation and get back in: invitations by e-mail that the invitee
    accepts, and self-service password reset. See docs/ui.md, "Members"."""

    name = "members"
    default_auto_field = "django.db.models.BigAutoField"
