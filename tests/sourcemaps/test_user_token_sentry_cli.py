"""The real sentry-cli with personal API tokens (`sntryu_…`, the shape it recognises) against
the web server: a token with the release scope uploads a bundle, a read-only one is refused and
nothing is stored."""

from __future__ import annotations

import shutil

import pytest

from apitokens.mint import create_token
from sourcemaps.models import ArtifactBundle, BundleAssembly, UploadChunk
from tests.helpers import jsbuild
from tests.helpers.cast import join, make_org, make_user


def _dist(tmp_path):
    """esbuild's fixture bundle (tests/js/fixtures), with debug IDs injected by sentry-cli."""
    dist = tmp_path / "dist"
    dist.mkdir()
    for name in ("app.js", "app.js.map"):
        shutil.copy(jsbuild.JS / "fixtures" / name, dist / name)
    return dist


def _upload(web: str, token: str, dist, org: str):
    return jsbuild.run_cli(token, "--url", web, "sourcemaps", "upload", "--org", org,
                           "--project", "web", str(dist))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sentry_cli_uploads_with_a_release_token_and_not_with_a_read_only_one(web, tmp_path):
    org = make_org("Shop Co", "shopco")
    org.projects.create(name="Web", slug="web", platform="javascript")
    member = make_user("dev")
    join(member, org)  # a member uploads, as with a session
    _, releases = create_token(member, "ci", "releases")
    _, read_only = create_token(member, "dashboard", "read")
    dist = _dist(tmp_path)
    injected = jsbuild.run_cli(releases, "sourcemaps", "inject", str(dist))
    assert injected.returncode == 0, injected.stderr

    refused = _upload(web, read_only, dist, org.slug)
    assert refused.returncode != 0
    assert "project:releases" in refused.stdout + refused.stderr
    assert not UploadChunk.objects.exists() and not BundleAssembly.objects.exists()

    uploaded = _upload(web, releases, dist, org.slug)
    assert uploaded.returncode == 0, uploaded.stdout + uploaded.stderr
    assert BundleAssembly.objects.filter(organization=org).exists() or \
        ArtifactBundle.objects.filter(organization=org).exists()
