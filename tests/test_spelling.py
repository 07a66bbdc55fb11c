"""Typo suggestions against a real vocabulary: the terms of the seeds and the project's examples."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer import analysis
from indexer.spelling import Suggestion, suggest, word_for

EXAMPLES = Path(__file__).resolve().parents[1] / "templates" / "examples"


def vocabulary(texts: list[str]) -> Counter[str]:
    """Document counts of index terms, as an index over these texts would have them."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(analysis.analyze(text)))
    return counts


@pytest.fixture(scope="module")
def seeds_vocabulary(shared_dir: Path) -> Counter[str]:
    texts = [p.read_text("utf-8") for p in sorted((shared_dir / "seeds").glob("*.txt"))]
    # Several copies, as an archive has many documents on the same subjects.
    return vocabulary(texts * 10)


@pytest.fixture(scope="module")
def examples_vocabulary() -> Counter[str]:
    texts = [p.read_text("utf-8") for p in sorted(EXAMPLES.glob("*.yaml"))]
    return vocabulary(texts * 10)


def suggestion(word: str, counts: Counter[str]) -> str | None:
    found = best(word, counts)
    return found.spelled if found else None


def best(word: str, counts: Counter[str]) -> Suggestion | None:
    def candidates(prefix: str) -> Iterator[str]:
        return (t for t in counts if t.startswith(prefix))

    return suggest(word, frequency=lambda term: counts.get(term, 0), candidates=candidates)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("bedömnigar", "bedömningar"),
        ("försörjningstöd", "försörjningsstöd"),
        ("forsörjningsstöd", "försörjningsstöd"),
        ("socialnämdnen", "socialnämnden"),  # two letters swapped: one edit
        ("försäkringskasssan", "försäkringskassan"),
        ("rehablitering", "rehabilitering"),
    ],
)
def test_typos_get_the_spelling_the_documents_use(
    seeds_vocabulary: Counter[str], typed: str, meant: str
) -> None:
    assert suggestion(typed, seeds_vocabulary) == meant


def test_the_projects_own_documents_give_suggestions_too(
    examples_vocabulary: Counter[str],
) -> None:
    assert suggestion("försörjningsstdö", examples_vocabulary) == "försörjningsstöd"
    assert suggestion("arbetsförmågebedömnig", examples_vocabulary) == "arbetsförmågebedömning"


@pytest.mark.parametrize(
    "typed",
    [
        "stöf",  # shorter than five letters
        "nemdn",  # five letters: only one edit allowed, this needs two
        "försörjningsstöd",  # spelled as the documents spell it
        "öresundsbron",  # nothing close in the vocabulary
        "kpmg:s",
    ],
)
def test_no_suggestion(seeds_vocabulary: Counter[str], typed: str) -> None:
    assert suggestion(typed, seeds_vocabulary) is None


def test_a_word_many_documents_use_is_not_corrected_towards_another() -> None:
    counts = vocabulary(["handläggning"] * 10 + ["handledning"] * 30)
    assert suggestion("handläggning", counts) is None
    assert suggestion("handlegning", counts) == "handledning"


def test_a_stem_that_is_not_a_word_is_still_the_term_to_search(
    seeds_vocabulary: Counter[str],
) -> None:
    # Snowball stems "arbetsmarknadsenheten" to "arbetsmarknadsen"; the index searches that term
    # and shows a word from a hit's text rather than this respelling.
    found = best("arbetsmarknadsenhten", seeds_vocabulary)
    assert found is not None
    assert found.term == analysis.stem("arbetsmarknadsenheten")
    assert found.edits == 2


def test_a_suggestion_is_shown_as_a_word_the_documents_use(shared_dir: Path) -> None:
    texts = [p.read_text("utf-8") for p in sorted((shared_dir / "seeds").glob("*.txt"))]
    found = best("arbetsmarknadsenhten", vocabulary(texts * 10))
    assert found is not None
    assert word_for(found.term, texts) == "arbetsmarknadsenheten"
    assert word_for(analysis.stem("försörjningsstöd"), texts) == "försörjningsstöd"
    assert word_for("qwxyz", texts) is None
