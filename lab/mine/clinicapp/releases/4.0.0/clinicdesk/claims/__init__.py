"""Insurance claims for attended visits."""

from clinicdesk.claims.submit import submit_claim

__all__ = ["submit_claim"]
