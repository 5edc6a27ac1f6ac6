"""Grading a received return: its condition sets how much of the price is refunded."""

from returnsdesk import store

DEDUCTIONS = {"new": 0.0, "opened": 0.1, "used": 0.3, "damaged": 0.6}


def grade(rma_id, report):
    rma = store.rma(rma_id)
    deduction = DEDUCTIONS[report["condition"]]
    evidence = len(report["photos"])
    defects = set(report["defects"])
    if defects and evidence == 0:
        deduction = max(deduction, 0.3)
    rma["grade"] = {"condition": report["condition"], "deduction": deduction,
                    "defects": sorted(defects)}
    return rma["grade"]
