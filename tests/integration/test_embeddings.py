"""The real embedding model (all-MiniLM-L6-v2 int8 ONNX) and retrieval over the bundled library.

The model is loaded once for this module; onnxruntime's cache directory points into a temp folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from kairos.compose.embeddings import DIMENSIONS, SentenceEmbedder
from kairos.compose.library import Basis, ContentLibrary, bundled_library_dir, load_library, query_text
from kairos.domain.decision import InterventionKind
from kairos.ingest.framework import parse_framework

DEMO_FRAMEWORK = Path(__file__).resolve().parents[2] / "examples" / "demo-org" / "framework.yaml"


@pytest.fixture(scope="module")
def xdg_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    cache = tmp_path_factory.mktemp("xdg-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(cache))
        yield cache


@pytest.fixture(scope="module")
def embedder(xdg_cache: Path) -> SentenceEmbedder:
    model = SentenceEmbedder(threads=2, batch_size=8)
    model.embed(["warm up"])
    return model


@pytest.fixture(scope="module")
def library(embedder: SentenceEmbedder) -> ContentLibrary:
    return load_library([bundled_library_dir()], embedder=embedder)


def test_onnxruntime_caches_into_the_temp_folder(xdg_cache: Path, embedder: SentenceEmbedder) -> None:
    assert os.environ["XDG_CACHE_HOME"] == str(xdg_cache)
    assert embedder.model_id.startswith("all-MiniLM-L6-v2-onnx-int8@")


def test_vectors_are_unit_length_rows_of_384(embedder: SentenceEmbedder) -> None:
    vectors = embedder.embed(["Ask one open question before giving advice.", "Ship the release on Friday."])
    assert vectors.shape == (2, DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_similar_sentences_score_higher_than_unrelated_ones(embedder: SentenceEmbedder) -> None:
    pairs = [
        ("She gave him clear feedback on his presentation.", "He received specific comments about his talk."),
        ("Delegate the whole problem, not just the task.", "Hand over ownership of the outcome to your teammate."),
        ("A man is playing a guitar.", "Someone is playing an instrument."),
        ("Write the request in the first line of the email.", "Put your ask at the top of the message."),
    ]
    unrelated = ["The bakery sells sourdough bread on Saturdays.", "Mount Everest is the highest mountain on earth."]
    for first, second in pairs:
        a, b, *others = embedder.embed([first, second, *unrelated])
        similar = float(a @ b)
        assert similar > 0.3, (first, similar)
        assert all(similar > max(float(a @ other), float(b @ other)) + 0.2 for other in others), first


def test_batching_gives_the_same_vectors_as_one_by_one(embedder: SentenceEmbedder) -> None:
    texts = [
        "Short.",
        "A somewhat longer sentence about giving feedback after a design review.",
        "Decide reversible things quickly " * 30,  # longer than the 256-token limit: truncated
        "Ask your manager for one thing to start, stop and continue.",
        "",
    ]
    batched = embedder.embed(texts)
    alone = np.stack([embedder.embed_one(t) for t in texts])
    assert np.max(np.abs(batched - alone)) < 1e-5


def test_a_question_about_feedback_after_a_design_review_finds_a_feedback_item_first(library: ContentLibrary) -> None:
    question = "giving specific feedback after a design review"
    vectors = library.vectors()
    wanted = library.embedder.embed([question])[0]
    nearest = library.items[int(np.argmax(vectors @ wanted))]
    assert "giving-feedback" in nearest.competencies

    found = library.candidates(None, 2, InterventionKind.PRACTICE, query_text=question)
    assert found.basis is Basis.SIMILARITY and found.best is not None
    assert found.best.item.id == "gf-after-design-review"


def test_the_organizations_words_rank_the_tagged_items(library: ContentLibrary) -> None:
    competency = parse_framework(DEMO_FRAMEWORK).competency("delegation")
    situation = query_text(competency, 2, "Hand over the release checklist to Priya with clear check-in points")
    found = library.candidates("delegation", 2, InterventionKind.PRACTICE, query_text=situation)
    assert found.basis is Basis.COMPETENCY
    assert all("delegation" in c.item.competencies for c in found.candidates)
    assert found.best is not None and found.best.item.id in {"dl-agree-check-ins", "dl-outcome-limits-date"}
    assert [c.similarity for c in found.candidates] == sorted((c.similarity for c in found.candidates), reverse=True)


def test_an_organizations_own_competency_falls_back_to_similarity_and_says_so(library: ContentLibrary) -> None:
    situation = "Listening: giving full attention, asking clarifying questions and checking understanding first."
    found = library.candidates("active-listening", 2, InterventionKind.PRACTICE, query_text=situation)
    assert found.basis is Basis.SIMILARITY
    assert found.reason.startswith("no practice item at level 2 is tagged 'active-listening'; chose by similarity")
    assert found.best is not None and found.best.item.id == "gen-listen-and-summarize"
    unrelated = library.candidates("tax-law", 2, InterventionKind.PRACTICE, query_text="Filing corporate tax returns")
    assert unrelated.basis is Basis.NONE and not unrelated.candidates
