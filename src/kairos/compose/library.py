"""The content library: concrete practice, reflection, learning and feedback items, and how one is chosen.

Items are YAML files (``content/library/`` bundled, plus the organization's folder from
``KAIROS_LIBRARY_DIR``). Choosing is two steps: tag filters first (kind, level, and the
competency when an item carries its tag), then cosine similarity between the situation — the
organization's competency definition, the anchors at the target level, the goal — and each
item's title and text. Every :class:`Retrieval` says in words how its items were chosen, so the
decision that uses one can store why.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kairos.compose.embeddings import Embedder, Vectors, default_embedder
from kairos.domain.decision import Challenge, InterventionKind
from kairos.errors import InputError, Problem
from kairos.ingest.base import LineDict, Problems, load_yaml, read_text
from kairos.resources import content_dir

if TYPE_CHECKING:
    from kairos.domain.framework import Competency
    from kairos.settings import Settings

log = logging.getLogger(__name__)

# A pause, an escalation to a person and a live coaching conversation are not things to hand someone from a shelf.
CONTENT_KINDS: frozenset[InterventionKind] = frozenset(
    {
        InterventionKind.LEARNING_CONTENT,
        InterventionKind.PRACTICE,
        InterventionKind.REFLECTION,
        InterventionKind.ROLE_PLAY,
        InterventionKind.FEEDBACK_REQUEST,
        InterventionKind.STRETCH_ASSIGNMENT,
    }
)
LEVELS = range(1, 6)
_TAG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ITEM_FIELDS = {"id", "kind", "title", "text", "competencies", "levels", "minutes", "challenge"}
# Measured on the bundled library: items about the situation score about 0.35 and up, unrelated ones under 0.25.
FALLBACK_MIN_SIMILARITY = 0.3
MAX_TITLE, MAX_TEXT, MAX_MINUTES = 120, 2000, 40 * 60  # minutes: up to a working week of effort


@dataclass(frozen=True, slots=True)
class ContentItem:
    """One thing to offer a person: a practice, a prompt, a reading, a role-play, a feedback ask, a stretch."""

    id: str
    kind: InterventionKind
    title: str
    text: str
    competencies: tuple[str, ...]
    levels: tuple[int, ...]
    minutes: int | None = None
    challenge: Challenge | None = None
    source: str = ""  # "file:line", for the trace

    @property
    def searchable(self) -> str:
        """What similarity is measured against."""
        return f"{self.title}. {self.text}"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind.value, "title": self.title, "source": self.source}


# ---------------------------------------------------------------- loading


def _item(doc: Any, source: str, problems: Problems) -> ContentItem | None:
    if not isinstance(doc, LineDict):
        problems.add("an item: a mapping with id, kind, title, text, competencies and levels", value=doc)
        return None
    before = len(problems.items)

    def bad(expected: str, key: str) -> None:
        problems.add(expected, row=doc.line_of(key), field=key, value=doc.get(key))

    for key in sorted(set(doc) - ITEM_FIELDS):
        bad(f"one of the fields {', '.join(sorted(ITEM_FIELDS))}", key)
    for key in ("id", "kind", "title", "text", "competencies", "levels"):
        if key not in doc:
            problems.add("a value here (the field is required)", row=doc.line, field=key)
    item_id, kind, title, text = (doc.get(k) for k in ("id", "kind", "title", "text"))
    if "id" in doc and not (isinstance(item_id, str) and _TAG.match(item_id) and len(item_id) <= 80):
        bad("an id of lowercase letters, digits and hyphens, at most 80 characters", "id")
    kinds = sorted(k.value for k in CONTENT_KINDS)
    if "kind" in doc and not (isinstance(kind, str) and kind in kinds):
        bad(f"one of {', '.join(kinds)}", "kind")
    for key, value, limit in (("title", title, MAX_TITLE), ("text", text, MAX_TEXT)):
        if key in doc and not (isinstance(value, str) and value.strip() and len(value) <= limit):
            bad(f"text of at most {limit} characters", key)
    tags = doc.get("competencies")
    if "competencies" in doc and not (
        isinstance(tags, list) and tags and all(isinstance(t, str) and _TAG.match(t) for t in tags)
    ):
        bad("a list of competency ids or tags in lowercase-with-hyphens, at least one", "competencies")
    elif isinstance(tags, list) and len(set(tags)) != len(tags):
        bad("each tag once", "competencies")
    levels = doc.get("levels")
    if "levels" in doc and not (
        isinstance(levels, list) and levels and all(type(n) is int and n in LEVELS for n in levels)
    ):
        bad("a list of proficiency levels from 1 to 5, at least one", "levels")
    minutes = doc.get("minutes")
    if minutes is not None and not (type(minutes) is int and 1 <= minutes <= MAX_MINUTES):
        bad(f"whole minutes from 1 to {MAX_MINUTES}", "minutes")
    challenge = doc.get("challenge")
    if challenge is not None and not (isinstance(challenge, str) and challenge in {c.value for c in Challenge}):
        bad("low, medium or high", "challenge")
    if len(problems.items) > before:
        return None
    return ContentItem(
        id=doc["id"],
        kind=InterventionKind(doc["kind"]),
        title=" ".join(doc["title"].split()),
        text=doc["text"].strip(),
        competencies=tuple(doc["competencies"]),
        levels=tuple(sorted(set(doc["levels"]))),
        minutes=minutes,
        challenge=Challenge(challenge) if challenge is not None else None,
        source=f"{source}:{doc.line}",
    )


def parse_library_text(text: str, file: str, *, source: str | None = None) -> list[ContentItem]:
    """The items of one library file, or an :class:`InputError` listing every problem in it.

    ``source`` is how items name their file in traces (default: ``file``).
    """
    doc = load_yaml(text, file)
    problems = Problems(file)
    if not isinstance(doc, LineDict) or not isinstance(doc.get("items"), list):
        problems.add("a mapping with a list under 'items:'", row=getattr(doc, "line", None), field="items")
        problems.raise_if_any()
    for key in sorted(set(doc) - {"items"}):
        problems.add("only 'items:' at the top of a library file", row=doc.line_of(key), field=key)
    items: list[ContentItem] = []
    seen: dict[str, int] = {}
    for entry in doc["items"]:
        item = _item(entry, source or file, problems)
        if item is None:
            continue
        line = entry.line_of("id")
        if item.id in seen:
            problems.add(f"an id used once; {item.id!r} is already on line {seen[item.id]}", row=line, field="id")
            continue
        seen[item.id] = line
        items.append(item)
    problems.raise_if_any()
    return items


def read_library(folders: Sequence[Path]) -> list[ContentItem]:
    """Every item of the folders, in order: within a folder an id is unique; a later folder's item replaces."""
    found: dict[str, ContentItem] = {}
    problems: list[Problem] = []
    for folder in folders:
        if not folder.is_dir():
            problems.append(Problem(str(folder), "a folder of content library YAML files"))
            continue
        in_folder: dict[str, ContentItem] = {}
        for path in sorted(folder.rglob("*.y*ml")):
            relative = path.relative_to(folder)
            if path.suffix not in {".yaml", ".yml"} or any(part.startswith(".") for part in relative.parts):
                continue  # editors' and version control's hidden files are not library files
            try:
                items = parse_library_text(read_text(path), str(path), source=f"{folder.name}/{relative}")
            except InputError as exc:
                problems += exc.problems
                continue
            for item in items:
                if item.id in in_folder:
                    earlier = in_folder[item.id].source
                    row = int(item.source.rsplit(":", 1)[1])
                    problems.append(Problem(str(path), f"an id used once; {item.id!r} is in {earlier}", row, "id"))
                    continue
                in_folder[item.id] = item
        found.update(in_folder)
    if problems:
        raise InputError(problems)
    return sorted(found.values(), key=lambda i: i.id)


def bundled_library_dir() -> Path:
    return content_dir() / "library"


def library_folders(organization_dir: Path | None) -> list[Path]:
    """The bundled library, then the organization's folder (``KAIROS_LIBRARY_DIR``) if one is set."""
    return [bundled_library_dir()] + ([organization_dir] if organization_dir is not None else [])


# ---------------------------------------------------------------- retrieval


@dataclass(frozen=True, slots=True)
class Candidate:
    item: ContentItem
    similarity: float  # cosine between the query and the item's title and text, -1 … 1

    def as_dict(self) -> dict[str, Any]:
        return {**self.item.as_dict(), "similarity": round(self.similarity, 4)}


class Basis(StrEnum):
    """How the pool of candidates was formed."""

    COMPETENCY = "competency"  # items tagged with the competency, ranked by similarity
    SIMILARITY = "similarity"  # no tagged item left: every item of the kind and level, ranked by similarity
    NONE = "none"  # nothing fits the kind and level


@dataclass(frozen=True, slots=True)
class Retrieval:
    """Ranked items with how they were chosen, in a sentence a trace can store."""

    candidates: tuple[Candidate, ...]
    basis: Basis
    reason: str
    considered: int  # items in the pool that was ranked

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "basis": self.basis.value,
            "reason": self.reason,
            "considered": self.considered,
            "candidates": [c.as_dict() for c in self.candidates],
        }


def query_text(competency: Competency | None, level: int, goal_text: str | None = None) -> str:
    """The situation in the organization's words: definition, the anchors at ``level``, and the goal."""
    parts: list[str] = []
    if competency is not None:
        parts.append(f"{competency.name}: {competency.definition}")
        target = competency.level(level)
        if target is not None:
            parts.extend(target.anchors)
    if goal_text:
        parts.append(goal_text)
    return " ".join(" ".join(p.split()) for p in parts)


# Item texts embedded in this process, by (model, text): libraries loaded again (another runtime, a test) reuse them.
_EMBEDDED: dict[tuple[str, str], np.ndarray] = {}
# Query vectors by (model, query text), oldest dropped first past the limit (a query is a competency, a level and a
# goal's words: an organization has a few thousand at most).
_QUERIES: dict[tuple[str, str], np.ndarray] = {}
MAX_QUERIES_KEPT = 10_000


class ContentLibrary:
    """Loaded items plus their vectors, computed once (and cached on disk when ``cache_dir`` is given)."""

    def __init__(
        self, items: Iterable[ContentItem], *, embedder: Embedder | None = None, cache_dir: Path | None = None
    ) -> None:
        self.items: tuple[ContentItem, ...] = tuple(sorted(items, key=lambda i: i.id))
        self._index = {item.id: n for n, item in enumerate(self.items)}
        if len(self._index) != len(self.items):
            raise ValueError("content library item ids must be unique")
        self._embedder = embedder
        self._cache_dir = cache_dir
        self._vectors: Vectors | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.items)

    def get(self, item_id: str) -> ContentItem | None:
        n = self._index.get(item_id)
        return self.items[n] if n is not None else None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = default_embedder()
        return self._embedder

    def vectors(self) -> Vectors:
        """One row per item (in ``items`` order): the disk cache when it holds this library, else embedded now."""
        if self._vectors is None:
            with self._lock:
                if self._vectors is None:
                    self._vectors = self._embed_items()
        return self._vectors

    def _rows(self, rows: list[int]) -> Vectors:
        """The vectors of some items only. A retrieval ranks a handful of items, so they are embedded as asked
        (each text once per process) unless the whole library's vectors are already at hand."""
        if self._vectors is None and self._cache_dir is not None and self._cache_path().is_file():
            self.vectors()
        if self._vectors is not None:
            return self._vectors[rows]
        texts = [self.items[n].searchable for n in rows]
        model = self.embedder.model_id
        missing = [t for t in dict.fromkeys(texts) if (model, t) not in _EMBEDDED]
        if missing:
            for text, vector in zip(missing, self.embedder.embed(missing), strict=True):
                _EMBEDDED[(model, text)] = vector
        return np.stack([_EMBEDDED[(model, t)] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)

    def _cache_path(self) -> Path:
        assert self._cache_dir is not None
        texts = [item.searchable for item in self.items]
        key = hashlib.sha256("\x1f".join([self.embedder.model_id, *texts]).encode()).hexdigest()[:32]
        return self._cache_dir / f"library-vectors-{key}.npy"

    def _embed_items(self) -> Vectors:
        texts = [item.searchable for item in self.items]
        if self._cache_dir is None:
            return self.embedder.embed(texts)
        path = self._cache_path()
        if path.is_file():
            try:
                cached = np.load(path, allow_pickle=False)
                if cached.shape[0] == len(texts) and cached.dtype == np.float32:
                    return np.asarray(cached, dtype=np.float32)
                log.warning("ignoring %s: it holds %s vectors, not %d", path, cached.shape, len(texts))
            except (OSError, ValueError) as exc:
                log.warning("ignoring unreadable vector cache %s: %s", path, exc)
        vectors = self.embedder.embed(texts)
        self._cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self._cache_dir, suffix=".npy.tmp")
        with os.fdopen(fd, "wb") as out:
            np.save(out, vectors, allow_pickle=False)
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the whole new one
        return vectors

    def candidates(
        self,
        competency_id: str | None,
        level: int,
        kind: InterventionKind,
        *,
        query_text: str,
        exclude_ids: Collection[str] = (),
        limit: int = 3,
        min_similarity: float = FALLBACK_MIN_SIMILARITY,
    ) -> Retrieval:
        """Up to ``limit`` items of ``kind`` that fit ``level``, best first; ties go to the smaller id.

        Items tagged ``competency_id`` are preferred; without any, every item of the kind and level is
        ranked and only those at least ``min_similarity`` from ``query_text`` are offered.
        """
        if kind not in CONTENT_KINDS:
            return Retrieval((), Basis.NONE, f"{kind.value} is not offered from the content library", 0)
        fitting = [n for n, item in enumerate(self.items) if item.kind is kind and level in item.levels]
        pool = [n for n in fitting if self.items[n].id not in exclude_ids]
        where = f"{kind.value} items at level {level}"
        if not pool:
            excluded = f" ({len(fitting)} excluded as already used)" if fitting else ""
            return Retrieval((), Basis.NONE, f"no {where} in the library{excluded}", 0)
        tagged = [n for n in pool if competency_id in self.items[n].competencies]
        if tagged:
            ranked = self._rank(tagged, query_text)
            reason = f"{len(tagged)} {where} tagged {competency_id!r}, ranked by similarity to the situation"
            return Retrieval(ranked[: max(limit, 0)], Basis.COMPETENCY, reason, len(tagged))
        if competency_id is None:
            missing = "no competency was given"
        elif any(competency_id in self.items[n].competencies for n in fitting):
            missing = f"every {kind.value} item tagged {competency_id!r} at level {level} was already used"
        else:
            missing = f"no {kind.value} item at level {level} is tagged {competency_id!r}"
        if not query_text.strip():
            return Retrieval((), Basis.NONE, f"{missing}, and there is no situation to compare items with", 0)
        close = [c for c in self._rank(pool, query_text) if c.similarity >= min_similarity]
        if not close:
            reason = f"{missing}, and none of the {len(pool)} {where} reaches similarity {min_similarity:.2f}"
            return Retrieval((), Basis.NONE, reason, len(pool))
        reason = (
            f"{missing}; chose by similarity to the situation: {len(close)} of {len(pool)} {where} "
            f"reach similarity {min_similarity:.2f}"
        )
        return Retrieval(tuple(close[: max(limit, 0)]), Basis.SIMILARITY, reason, len(pool))

    def _query_vector(self, query: str) -> np.ndarray:
        """A query's vector, kept: the same competency, level and goal come up for every moment about them, and
        embedding one query costs more than the rest of a delivery."""
        key = (self.embedder.model_id, query)
        found = _QUERIES.get(key)
        if found is None:
            found = self.embedder.embed([query])[0]
            with self._lock:
                if len(_QUERIES) >= MAX_QUERIES_KEPT:
                    _QUERIES.pop(next(iter(_QUERIES)))  # the oldest first
                _QUERIES[key] = found
        return found

    def _rank(self, rows: list[int], query: str) -> tuple[Candidate, ...]:
        if query.strip():
            wanted = self._query_vector(query)
            scores = [float(s) for s in self._rows(rows) @ wanted]
        else:
            scores = [0.0] * len(rows)  # nothing to compare with: the id order decides
        # Rounding first makes the order stable against float noise; equal scores go to the smaller id.
        order = sorted(zip(rows, scores, strict=True), key=lambda p: (-round(p[1], 5), self.items[p[0]].id))
        return tuple(Candidate(self.items[n], s) for n, s in order)


def load_library(
    folders: Sequence[Path], *, embedder: Embedder | None = None, cache_dir: Path | None = None
) -> ContentLibrary:
    """Read and validate every folder (raising one :class:`InputError` with all problems) into a library."""
    return ContentLibrary(read_library(folders), embedder=embedder, cache_dir=cache_dir)


def library_from_settings(settings: Settings, *, embedder: Embedder | None = None) -> ContentLibrary:
    """The bundled library plus ``KAIROS_LIBRARY_DIR``, with vectors cached under ``KAIROS_CACHE_DIR``."""
    cache = settings.cache_dir or settings.data_dir / "cache"
    return load_library(library_folders(settings.library_dir), embedder=embedder, cache_dir=cache)
