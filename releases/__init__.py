"""Releases: what each release of a project brought (new and regressed issues, events, users).

Per-release events, first and last seen come from the issues' `release` tag counts; new issues
from each issue's first release; regressions from the activity log; users from `ReleaseUser`,
a set of pseudonymous user keys per release that beat fills from stored events (off the ingest
path). docs/releases.md.
"""
