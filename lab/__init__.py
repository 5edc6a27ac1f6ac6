"""Lab tools: the real-code grouping corpus, its miners and the selection that ships, and the
generated corpora (`lab.generate`: the grouping corpus, the dev set, the PII corpora).

Not a Django app and never imported by the product at run time (docs/corpus.md).
"""
