"""The Python part of the mined corpus: real PyPI libraries at several released versions, called
from the call sites of small applications through real frameworks, failed with families of bad
inputs, captured by the real sentry-sdk (docs/corpus.md, "Python").

``python -m lab.mine.python --install`` installs the libraries under ``var/mine/site/``;
``python -m lab.mine.python`` mines every codebase (resumable, one subprocess per release) and
writes ``lab/corpus/python-<codebase>.jsonl.zst``; ``--stats`` prints the summary table.
"""
