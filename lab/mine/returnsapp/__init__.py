"""A mined codebase whose faults are in the application's own code, in the choice group:
``returns-desk``, a warehouse's customer-returns service (its four releases are real source
trees under ``releases/``), driven through its own entry points under the real sentry-sdk.
``python -m lab.mine.returnsapp`` writes lab/corpus/python-returns-desk.jsonl.zst. The
machinery is lab.mine.appcode's; the application and its bugs are new.
"""
