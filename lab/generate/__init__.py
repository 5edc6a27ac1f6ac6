"""Generated labelled data for measuring grouping and scrubbing: the grouping corpus of the
corpus's own applications (`corpus`), the old dev set (`devset`) and the PII corpora
(`pii_corpus`, `pii_corpus_v2`). Lab material: no installed app ships it."""
