"""Grading a received return: its condition sets how much of the price is refunded."""

import logging

from returnsdesk import store

log = logging.getLogger(__name__)

DEDUCTIONS = {"new": 0.0, "opened": 0.1, "used": 0.3, "damaged": 0.6}


def grade_return(rma_id, report):
    """Record the inspector's report. Defects without photos count as used at best."""
    rma = store.load_return(rma_id)
    log.info("grading %s as %s", rma_id, report.get("condition"))
    deduction = DEDUCTIONS[report["condition"]]
    evidence = len(report["photos"])
    defects = set(report["defects"])
    if defects and evidence == 0:
        deduction = max(deduction, 0.3)
    rma["grade"] = {"condition": report["condition"], "deduction": deduction,
                    "defects": sorted(defects)}
    return rma["grade"]
