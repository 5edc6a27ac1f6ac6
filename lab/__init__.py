"""Lab tools: the real-code grouping corpus, its miners and the selection that ships.

Not a Django app and never imported by the product at run time (docs/corpus.md).
"""
