"""Embedding throughput for realistic cleaned stack traces (the dev set's), on CPU and on CUDA
when present, of the shipped and the stock model; how long writing out the shipped model takes;
token lengths; resident memory of a process holding the models.

    .venv/bin/python bench/embeddings.py [--quick]    # --quick: 128 tokens, batch 16 only
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
from common import ROOT  # noqa: F401  (puts the project on sys.path)


def main() -> int:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
    os.environ.setdefault("DATABASE_URL", "postgresql://unused@/unused")
    import django

    django.setup()
    import tempfile
    from pathlib import Path

    from django.conf import settings

    from embeddings import onnx_runtime, shipped
    from embeddings.encoder import Encoder, cuda_possible, current_spec, default_model_path
    from lab.generate.devset.generate import generate
    from training import metrics as evaluation

    quick = "--quick" in sys.argv
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        shipped.materialise(shipped.load(), Path(default_model_path()), Path(scratch))
        print(f"shipped model written out (base + delta, checksums verified) in "
              f"{time.perf_counter() - started:.1f} s")
    texts = evaluation.prepare(generate()).texts
    torch = None  # imported only where a GPU could be: the CPU path serves without it
    if cuda_possible():
        import torch
    devices = ["cpu"] + (["cuda"] if torch is not None and torch.cuda.is_available() else [])
    print(f"{len(texts)} cleaned traces from the dev set; "
          f"{onnx_runtime.intra_op_threads()} CPU threads")
    runs = [(model, device) for model in ("shipped", "stock") for device in devices]
    for model, device in runs:
        settings.EMBEDDING_MODEL = model
        encoder = Encoder(current_spec(), device=device)
        print(f"{model} {encoder.spec.name}@{encoder.spec.version[:12]} on {device}: "
              f"{encoder.backend} backend")
        lengths = (encoder.onnx.token_counts(texts) if encoder.onnx is not None else
                   [len(ids) for ids in encoder.model.tokenizer(texts)["input_ids"]])
        if device == "cpu":
            print(f"tokens per trace: p50 {np.percentile(lengths, 50):.0f}, "
                  f"p90 {np.percentile(lengths, 90):.0f}, max {max(lengths)}")
        for max_tokens in (128,) if quick else (128, 256):
            encoder.max_tokens = max_tokens
            for batch in (16,) if quick else (1, 16, 64, 256):
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
                print(f"{model:<8} {device:<5} max_tokens={max_tokens:<4} batch={batch:<4} "
                      f"{rate:8.0f} emb/s")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers")
                   if m in sys.modules)
    print(f"peak RSS of this process with the models loaded: {rss:.0f} MiB "
          f"(imported: {', '.join(heavy) or 'neither torch nor sentence-transformers'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
