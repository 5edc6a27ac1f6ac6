"""Embedding throughput for realistic cleaned stack traces (the dev set's), on CPU and on CUDA
when present; token lengths; resident memory of a process holding the model.

    .venv/bin/python bench/embeddings.py
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
from common import ROOT  # noqa: F401  (puts the project on sys.path)


def main() -> int:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitor.settings")
    os.environ.setdefault("DATABASE_URL", "postgresql://unused@/unused")
    import django

    django.setup()
    import torch
    from django.conf import settings

    from embeddings.encoder import Encoder, current_spec
    from evaluation import metrics as evaluation
    from evaluation.devset.generate import generate

    texts = evaluation.prepare(generate()).texts
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    print(f"{len(texts)} cleaned traces from the dev set; torch {torch.__version__}, "
          f"{torch.get_num_threads()} CPU threads")
    for device in devices:
        encoder = Encoder(current_spec(), device=device)
        print(f"{device}: {encoder.backend} backend")
        lengths = [len(ids) for ids in encoder.model.tokenizer(texts)["input_ids"]]
        if device == "cpu":
            print(f"tokens per trace: p50 {np.percentile(lengths, 50):.0f}, "
                  f"p90 {np.percentile(lengths, 90):.0f}, max {max(lengths)}")
        for max_tokens in (128, 256):
            encoder.model.max_seq_length = max_tokens
            if encoder.onnx is not None:
                encoder.onnx.max_tokens = max_tokens
            for batch in (1, 16, 64, 256):
                settings.EMBEDDING_BATCH_SIZE = batch
                corpus = texts * (8 if device == "cuda" else 1)
                encoder.encode(corpus[:batch])  # warm-up
                if device == "cuda":
                    torch.cuda.synchronize()
                started = time.perf_counter()
                encoder.encode(corpus)
                if device == "cuda":
                    torch.cuda.synchronize()
                rate = len(corpus) / (time.perf_counter() - started)
                print(f"{device:<5} max_tokens={max_tokens:<4} batch={batch:<4} {rate:8.0f} emb/s")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process with the model loaded: {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
