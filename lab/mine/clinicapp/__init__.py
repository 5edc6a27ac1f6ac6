"""A mined codebase whose faults are in the application's own code, in the choice group:
``clinic-desk``, an outpatient clinics' booking service (its four releases are real source
trees under ``releases/``), driven through its own entry points under the real sentry-sdk.
``python -m lab.mine.clinicapp`` writes lab/corpus/python-clinic-desk.jsonl.zst. The machinery
is lab.mine.appcode's (invoice-desk, report-only); the application and its bugs are new.
"""
