"""Project creation for owners and admins. The default DSN key comes with the project
(monitor.default_key); the new project's empty state shows it with SDK snippets."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.text import slugify

from access import MANAGERS_ONLY, can_manage, organization_view, visible_projects
from alerts import default_rule
from monitor.models import Membership, Organization, Project


class NewProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["name", "slug", "platform"]
        help_texts = {"slug": "Letters, digits and dashes; empty derives it from the name."}

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["slug"].required = False

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("name", ""))[:64]
        if not slug:
            raise forms.ValidationError("Give the project a name or a slug.")
        if Project.objects.filter(organization=self.organization, slug=slug).exists():
            raise forms.ValidationError("This organisation already has a project with that slug.")
        return slug


@organization_view()
def new_project(request, organization):
    if not can_manage(request.user, organization.id):
        messages.error(request, f"{MANAGERS_ONLY.capitalize()}.")
        return redirect("web:home")
    form = NewProjectForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        form.instance.organization = organization
        with transaction.atomic():
            project = form.save()
            default_rule.create_for(project)
        messages.success(request, f"Project {project.name} created with its DSN key.")
        return redirect("web:stream", organization.slug, project.slug)
    return render(request, "web/project_new.html", {
        "organization": organization, "form": form,
        "projects": visible_projects(request.user),
        "roles": Membership.Role,
    })
