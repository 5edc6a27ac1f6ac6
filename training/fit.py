"""Contrastive fine-tuning of a sentence-transformers model with its Trainer API.

Loss: ContrastiveLoss (cosine distance, margin) inside MatryoshkaLoss. Why this loss: our labels
are explicit pairs, with explicit negatives that matter (unmerges, hard negatives of the corpus:
same type in the same function, same message elsewhere); MultipleNegativesRankingLoss would
ignore them and treat every other pair of a batch as a negative, which is false when a batch
holds two pairs of one bug (common: a bug has many events). Grouping decides by an absolute
distance threshold, which a margin loss shapes directly: every positive is pulled toward
distance 0 and every negative pushed past the margin. OnlineContrastiveLoss was tried first and
gave a zero loss on most batches, because the stock model already *ranks* each batch's pairs
correctly while many positives still sit beyond the threshold. MatryoshkaLoss trains the first
128 coordinates to work alone too, so the model can be served at 128 dimensions.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from training.pairs import Pair


@dataclass
class Hyperparameters:
    # 200 steps of 32 pairs (about 1.3 epochs of the corpus's 5,000 train pairs): 8.6 minutes on
    # 2 CPU cores; chosen on validation (docs/ml-grouping.md, "The trained model")
    max_steps: int = 200
    batch_size: int = 32
    learning_rate: float = 1e-4
    warmup_ratio: float = 0.1
    margin: float = 0.5
    matryoshka_dims: list[int] = field(default_factory=lambda: [384, 128])
    dimension: int | None = None  # served dimension; None: the model's own
    max_pairs: int = 5000  # corpus + organisations + augmentations, before the step cap
    augment_share: float = 0.25
    # made hard negatives (training.augment.HARD_NEGATIVES); off: at 0.1 they cost recall in
    # 200 CPU steps (CHANGELOG.md, "Choosing on five corpora, and six runs compared")
    swap_share: float = 0.0
    # pairs whose application words are renamed on both sides (training.augment.relabel)
    relabel_share: float = 0.0
    organisation_share: float = 0.35
    max_tokens: int = 128
    trainable_layers: int = 2  # the top transformer layers trained; the rest frozen (CPU cost)
    seed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def replacement_words(base_path: str) -> list[str]:
    """The base model's own plain words (its WordPiece vocabulary), for relabelled pairs."""
    from pathlib import Path

    from training.augment import replacement_words as words_in

    return words_in(str(Path(base_path) / "vocab.txt"))


def pick_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def freeze_lower_layers(model, trainable: int) -> None:
    """Train only the top `trainable` transformer layers (and pooling): the backward pass then
    stops there, which makes a CPU step about twice as fast; 0 or less trains everything."""
    if trainable <= 0:
        return
    backbone = getattr(model[0], "auto_model", None)
    layers = getattr(getattr(backbone, "encoder", None), "layer", None)
    if backbone is None or layers is None:
        return
    for parameter in backbone.embeddings.parameters():
        parameter.requires_grad = False
    for layer in list(layers)[: max(0, len(layers) - trainable)]:
        for parameter in layer.parameters():
            parameter.requires_grad = False


def train(base_path: str, pairs: list[Pair], hp: Hyperparameters, output_dir: str,
          device: str | None = None, progress: bool = True) -> str:
    """Fine-tune `base_path` on `pairs`, save to `output_dir`; returns the device used."""
    from datasets import Dataset
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )
    from sentence_transformers.sentence_transformer.losses import (
        ContrastiveLoss,
        MatryoshkaLoss,
    )

    device = device or pick_device()
    model = SentenceTransformer(base_path, device=device, local_files_only=True)
    model.max_seq_length = min(model.max_seq_length or hp.max_tokens, hp.max_tokens)
    native = model.get_embedding_dimension()
    freeze_lower_layers(model, hp.trainable_layers)
    dataset = Dataset.from_dict({
        "sentence1": [p.a for p in pairs],
        "sentence2": [p.b for p in pairs],
        "label": [int(p.same) for p in pairs],
    })
    loss = ContrastiveLoss(model, margin=hp.margin)
    dims = sorted({d for d in hp.matryoshka_dims if d <= native}, reverse=True)
    if len(dims) > 1 or (dims and dims[0] < native):
        loss = MatryoshkaLoss(model, loss, matryoshka_dims=dims)
    with tempfile.TemporaryDirectory() as scratch:
        args = SentenceTransformerTrainingArguments(
            output_dir=scratch,
            max_steps=hp.max_steps,
            per_device_train_batch_size=hp.batch_size,
            learning_rate=hp.learning_rate,
            warmup_steps=hp.warmup_ratio,  # a float: the share of steps (Transformers 5)
            seed=hp.seed,
            save_strategy="no",
            report_to="none",
            logging_steps=max(1, hp.max_steps // 10),
            use_cpu=device == "cpu",
            dataloader_num_workers=0,
            disable_tqdm=not progress,
        )
        SentenceTransformerTrainer(model=model, args=args, train_dataset=dataset,
                                   loss=loss).train()
    model.save(output_dir)
    return device
