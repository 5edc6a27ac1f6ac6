"""Training and embedding on CUDA, for a GPU machine that holds neither the database nor the
base model (a lent machine that takes 64 MiB of files and no network): `pack` writes here what
it needs, `run` measures there, `graft` turns what comes back into model directories here.

    .venv/bin/python bench/cuda.py pack .gpu          # here: training pairs, a sparse base
    python3 bench/cuda.py run .gpu $OUT               # there: needs torch, sentence-transformers
                                                      # and datasets, not Django or Postgres
    .venv/bin/python bench/cuda.py graft $OUT var/models   # here: gpu-<recipe> model dirs

`pack` writes the pairs of each recipe exactly as `train_grouping_model` gathers them (the served
recipe's data hash equals its manifest's) and the base model with every tensor exact but the
word embeddings cut to the rows the texts use (the model is 87 MiB; those rows are all any of
these texts reach, so its vectors for them are bit-identical). `run` times the worker's own
`embeddings.encoder.Encoder` on CUDA at several batch sizes and one text at a time, then trains
each recipe with `training.fit.train` on CUDA and keeps the layers it trained (the rest stay
frozen, so `graft` puts them on the exact base).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import sys
import time
import types
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIVE = [f"var/corpus/corpus-seed{seed}.jsonl" for seed in (7, 17, 19, 23, 29)]
# name: (corpus files, how many of them give train splits, Hyperparameters overrides)
RECIPES = {
    "served": (FIVE, 1, {}),  # make grouping-model, without organisations
    "served-all-layers": (FIVE, 1, {"trainable_layers": 0}),
    "big2": (FIVE, 5, {"max_pairs": 40000, "max_steps": 2000}),
}
BIG4 = {"max_pairs": 40000, "max_steps": 2000, "batch_size": 64, "trainable_layers": 4}
RECIPES |= {f"big4-s{seed}" if seed else "big4": (FIVE, 5, BIG4 | {"seed": seed})
            for seed in range(5)}
# made hard negatives: bench only (train_grouping_model has no --swap-share), for validation
RECIPES |= {f"big4-swap-s{seed}" if seed else "big4-swap":
            (FIVE, 5, BIG4 | {"swap_share": 0.1, "seed": seed}) for seed in range(2)}
SPARSE = "sparse.safetensors"


def sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def pack(directory: Path, names: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
    os.environ.setdefault("DATABASE_URL", "postgresql://unused@/unused")
    import django

    django.setup()
    import numpy as np
    from safetensors.numpy import load_file, save_file
    from tokenizers import Tokenizer

    from embeddings.encoder import default_model_path
    from training import fit, lifecycle

    directory.mkdir(parents=True, exist_ok=True)
    texts: set[str] = set()
    hashes = {}
    for name in names:
        paths, trained, overrides = RECIPES[name]
        paths = [str(ROOT / p) for p in paths]
        hp = fit.Hyperparameters(**overrides)
        _, chosen, _, digest = lifecycle.training_pairs(paths, trained, None, hp,
                                                        default_model_path())
        print(f"{name}: {len(chosen)} pairs, data hash {digest}")
        file = directory / f"pairs-{name}.jsonl.gz"
        with gzip.open(file, "wt") as handle:
            for p in chosen:
                handle.write(json.dumps([p.a, p.b, int(p.same)]) + "\n")
                texts.update((p.a, p.b))
        hashes[name] = {"data_hash": digest, "file_sha256": sha256(file)}
    (directory / "recipes.json").write_text(json.dumps(hashes, indent=2))
    base = Path(default_model_path())
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    ids = set(range(1000))  # the special and unused tokens
    for encoding in tokenizer.encode_batch(sorted(texts)):
        ids.update(encoding.ids)
    tensors = load_file(str(base / "model.safetensors"))
    word_key = next(k for k in tensors if k.endswith("word_embeddings.weight"))
    rows = np.array(sorted(ids), dtype=np.int64)
    sparse = {k: v for k, v in tensors.items() if k != word_key}
    sparse |= {"__rows__": rows, "__word__": tensors[word_key][rows],
               "__shape__": np.array(tensors[word_key].shape, dtype=np.int64)}
    out = directory / "base"
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(base, out, ignore=shutil.ignore_patterns("model.safetensors", "*.md"))
    save_file(sparse, str(out / SPARSE), metadata={"word_key": word_key})
    print(f"{len(texts)} texts, {len(rows)} of {len(tensors[word_key])} word rows")


def rebuild(directory: Path, target: Path) -> dict:
    import numpy as np
    from safetensors import safe_open
    from safetensors.numpy import load_file, save_file

    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(directory / "base", target, ignore=shutil.ignore_patterns(SPARSE))
    sparse = load_file(str(directory / "base" / SPARSE))
    with safe_open(str(directory / "base" / SPARSE), "np") as handle:
        word_key = handle.metadata()["word_key"]
    full = {k: v for k, v in sparse.items() if not k.startswith("__")}
    full[word_key] = np.zeros(tuple(sparse["__shape__"]), dtype=sparse["__word__"].dtype)
    full[word_key][sparse["__rows__"]] = sparse["__word__"]
    save_file(full, str(target / "model.safetensors"), metadata={"format": "pt"})
    return full


def settings_for(base: Path):
    """The settings embeddings.encoder reads: Django's, configured, where Django is installed
    (a GPU host with the project's environment); a stand-in where it is not (a lent machine)."""
    values = dict(EMBEDDING_MODEL_PATH=str(base), EMBEDDING_MODEL_NAME="",
                  EMBEDDING_DEVICE="auto", EMBEDDING_BACKEND="auto",
                  EMBEDDING_MAX_TOKENS=128, EMBEDDING_BATCH_SIZE=16)
    try:
        from django.conf import settings
    except ImportError:
        django, conf = types.ModuleType("django"), types.ModuleType("django.conf")
        conf.settings, django.conf = SimpleNamespace(**values), conf
        sys.modules["django"], sys.modules["django.conf"] = django, conf
        return conf.settings
    settings.configure(**values)
    return settings


def measure_encoder(encoder, settings, texts: list[str]) -> dict:
    """Embeddings/s of the worker's Encoder over `texts` at several batch sizes, and the
    latency of one text (a new issue's embedding)."""
    result = {"device": encoder.device, "backend": encoder.backend, "texts": len(texts),
              "per_second": {}}
    encoder.encode(texts[:512])  # warm-up
    for batch in (16, 64, 256):
        settings.EMBEDDING_BATCH_SIZE = batch
        times = []
        for _ in range(3):
            started = time.perf_counter()
            encoder.encode(texts)
            times.append(time.perf_counter() - started)
        result["per_second"][batch] = round(len(texts) / statistics.median(times), 1)
    settings.EMBEDDING_BATCH_SIZE = 16
    one = []
    for text in texts[:300]:
        started = time.perf_counter()
        encoder.encode([text])
        one.append((time.perf_counter() - started) * 1000)
    result["one_text_ms"] = {q: round(statistics.quantiles(one, n=100)[p - 1], 2)
                             for q, p in (("p50", 50), ("p95", 95), ("p99", 99))}
    return result


def run(directory: Path, out: Path, names: list[str], keep: list[str],
        encode: bool) -> None:
    import numpy as np
    import sentence_transformers
    import torch
    from safetensors.numpy import load_file, save_file

    out.mkdir(parents=True, exist_ok=True)
    report: dict = {"env": {"torch": torch.__version__, "cuda": torch.version.cuda,
                            "sentence_transformers": sentence_transformers.__version__,
                            "gpu": torch.cuda.get_device_name(0),
                            "tf32": torch.backends.cuda.matmul.allow_tf32,
                            "float32_matmul": torch.get_float32_matmul_precision()}}
    print(report["env"], flush=True)
    base = Path("/tmp/faultline-base")
    base_tensors = rebuild(directory, base)
    settings = settings_for(base)
    from embeddings.encoder import Encoder, ModelSpec
    from training import fit

    def pairs(name: str) -> list:
        with gzip.open(directory / f"pairs-{name}.jsonl.gz", "rt") as handle:
            return [SimpleNamespace(a=a, b=b, same=bool(s)) for a, b, s in map(json.loads, handle)]

    packed = json.loads((directory / "recipes.json").read_text())
    for name in names:  # the pairs pack wrote for this recipe, before any GPU time is spent
        if packed[name]["file_sha256"] != sha256(directory / f"pairs-{name}.jsonl.gz"):
            raise SystemExit(f"pairs-{name}.jsonl.gz is not the file pack wrote")
    recipes = {name: pairs(name) for name in names}
    texts = sorted({t for chosen in recipes.values() for p in chosen for t in (p.a, p.b)})
    if encode:
        report["encoder"] = measure_encoder(Encoder(ModelSpec("stock", str(base), "stock")),
                                            settings, texts)
        print(report["encoder"], flush=True)
    torch.ones(64, 64, device="cuda").matmul(torch.ones(64, 64, device="cuda")).sum().item()
    report["training"] = {}  # CUDA is up: the first recipe's seconds hold no start-up
    for name in names:
        overrides = RECIPES[name][2]
        hp = fit.Hyperparameters(**overrides)
        model = Path(f"/tmp/faultline-{name}")
        torch.cuda.reset_peak_memory_stats()
        started = time.perf_counter()
        device = fit.train(str(base), recipes[name], hp, str(model), device="cuda",
                           progress=False)
        seconds = time.perf_counter() - started
        trained = load_file(str(model / "model.safetensors"))
        changed = [k for k in trained if not np.array_equal(trained[k], base_tensors.get(k))]
        layers = sorted({int(k.split(".")[2]) for k in changed if k.startswith("encoder.layer.")})
        report["training"][name] = {
            "device": device, "seconds": round(seconds, 1), "pairs": len(recipes[name]),
            "data_hash": packed[name]["data_hash"],
            "hyperparameters": hp.as_dict(), "changed_layers": layers,
            "changed_outside_layers": [k for k in changed if not k.startswith("encoder.layer.")],
            "peak_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2),
        }
        print(name, {k: v for k, v in report["training"][name].items()
                     if k != "hyperparameters"}, flush=True)
        if name in keep:
            for pair in (layers[i:i + 2] for i in range(0, len(layers), 2)):  # ≤ 16 MiB a file
                part = {k: v for k, v in trained.items()
                        if any(k.startswith(f"encoder.layer.{n}.") for n in pair)}
                save_file(part, str(out / f"{name}-layers{''.join(map(str, pair))}.safetensors"))
        shutil.rmtree(model, ignore_errors=True)
    (out / "report.json").write_text(json.dumps(report, indent=2))


def graft(returned: Path, models: Path, keep: list[str]) -> None:
    """gpu-<recipe> model directories: the exact base with the layers trained on the GPU, and
    `fitted.json` for `train_grouping_model --fitted` (which checks the pairs' data hash)."""
    from safetensors.numpy import load_file, save_file
    from sentence_transformers import SentenceTransformer

    from embeddings.encoder import default_model_path, model_version

    report = json.loads((returned / "report.json").read_text())
    base = Path(default_model_path())
    tensors = load_file(str(base / "model.safetensors"))
    tensors.pop("embeddings.position_ids", None)  # a buffer sentence-transformers does not save
    for name in keep:
        parts = sorted(returned.glob(f"{name}-layers*.safetensors"))
        if not parts:
            continue
        trained = report["training"][name]
        returned_layers = {int(k.split(".")[2]) for part in parts for k in load_file(str(part))}
        if trained["changed_outside_layers"] or returned_layers != set(trained["changed_layers"]):
            raise SystemExit(f"{name}: trained {trained['changed_layers']} and "
                             f"{trained['changed_outside_layers']}, returned layers "
                             f"{sorted(returned_layers)}: not the base plus them")
        target = models / f"gpu-{name}"
        model = SentenceTransformer(str(base), device="cpu", local_files_only=True)
        model.max_seq_length = trained["hyperparameters"]["max_tokens"]  # as training.fit saves
        model.save(str(target))
        weights = dict(tensors)
        for part in parts:
            weights |= load_file(str(part))
        save_file(weights, str(target / "model.safetensors"), metadata={"format": "pt"})
        fitted = {"recipe": name, "data_hash": trained["data_hash"], "seconds": trained["seconds"],
                  "device": f"{trained['device']} ({report['env']['gpu']})",
                  "hyperparameters": trained["hyperparameters"],
                  "base_version": model_version(str(base))}
        (target / "fitted.json").write_text(json.dumps(fitted, indent=2))
        print(f"{target}: {len(parts)} files of trained layers on the base")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=("pack", "run", "graft"))
    parser.add_argument("directory", type=Path)
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("--recipes", nargs="+", choices=RECIPES, default=list(RECIPES))
    parser.add_argument("--keep", nargs="*", default=["served", "big2", "big4"], choices=RECIPES,
                        help="recipes whose trained layers come back (64 MiB in all)")
    parser.add_argument("--skip-encoder", action="store_true")
    args = parser.parse_args()
    if args.step == "pack":
        pack(args.directory, args.recipes)
    elif args.step == "run":
        run(args.directory, args.out or Path(os.environ.get("OUT", "/tmp/out")), args.recipes,
            args.keep, not args.skip_encoder)
    else:
        graft(args.directory, args.out or ROOT / "var" / "models", args.keep)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
