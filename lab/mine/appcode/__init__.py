"""A mined codebase whose faults are in the application's own code, not a library's:
``invoice-desk``, an invoicing service written as a team would write it (its four releases
are real source trees under ``releases/``), driven through its own entry points under the
real sentry-sdk. ``python -m lab.mine.appcode`` writes lab/corpus/python-invoice-desk.jsonl.zst.
"""
