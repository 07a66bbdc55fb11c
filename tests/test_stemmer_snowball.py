"""The Swedish analysis: today's Snowball stemmer, Snowball's stop words, å ä ö kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer import analysis


def _lines(path: Path) -> list[str]:
    return path.read_text("utf-8").splitlines()


def test_every_snowball_vocabulary_word_stems_as_snowball_says(shared_dir: Path) -> None:
    lang = shared_dir / "corpus" / "lang"
    vocabulary = _lines(lang / "snowball-swedish-voc.txt")
    expected = _lines(lang / "snowball-swedish-output.txt")
    assert len(vocabulary) == len(expected) == 30_738
    one_by_one = [analysis.stem(word) for word in vocabulary]
    results = zip(vocabulary, one_by_one, expected, strict=True)
    wrong = [(word, got, want) for word, got, want in results if got != want]
    assert wrong == [], f"{len(wrong)} words stem differently, e.g. {wrong[:5]}"
    # The batch path the indexer uses (stem cache, one call per new word) agrees word for word.
    assert analysis.stem_words(vocabulary) == expected


def test_indexing_stems_every_vocabulary_word_that_is_not_a_stop_word(shared_dir: Path) -> None:
    lang = shared_dir / "corpus" / "lang"
    pairs = zip(
        _lines(lang / "snowball-swedish-voc.txt"),
        _lines(lang / "snowball-swedish-output.txt"),
        strict=True,
    )
    kept = [(word, stem) for word, stem in pairs if word not in analysis.stop_words()]
    text = " ".join(word for word, _ in kept)
    assert analysis.analyze(text) == [stem for _, stem in kept]


def test_stop_words_are_the_postgresql_swedish_list(shared_dir: Path) -> None:
    postgres = shared_dir / "corpus" / "lang" / "postgresql15-swedish.stop"
    assert analysis.stop_words() == {w.strip() for w in _lines(postgres) if w.strip()}


def test_the_forms_current_snowball_brings_together() -> None:
    # Whoosh's bundled Swedish Snowball leaves "-et" forms such as "försörjningsstödet" alone.
    assert analysis.analyze("försörjningsstödet försörjningsstöd") == ["försörjningsstöd"] * 2
    assert len(set(analysis.analyze("bedömningar bedömningen bedömning"))) == 1
    assert len(set(analysis.analyze("nämnden nämnderna nämnd"))) == 1


def test_a_with_ring_and_umlauts_stay_letters_of_their_own() -> None:
    får, far = analysis.analyze("Får far")
    assert får != far
    assert får.startswith("få") and far.startswith("fa")
    assert analysis.analyze("ÅR år ar") == [analysis.stem("år")] * 2 + [analysis.stem("ar")]
    assert analysis.stem("år") != analysis.stem("ar")


def test_stop_words_go_and_single_letter_words_stay() -> None:
    assert analysis.analyze("och att det i en") == []
    assert analysis.analyze("Ö å") == ["ö", "å"]
    assert "och" in analysis.stop_words() and "vilkas" in analysis.stop_words()
    assert len(analysis.stop_words()) == 114


def test_a_full_stem_cache_still_stems_every_word_of_the_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The cache empties itself when full; words of the call that were cached before it emptied
    # must still come back (building the lexicon hits this on a cold cache).
    monkeypatch.setattr(analysis, "_stems", {})
    monkeypatch.setattr(analysis, "_STEM_CACHE_LIMIT", 3)
    assert analysis.stem_words(["nämnden", "-"]) == ["nämnd", "-"]
    words = ["nämnden", "-", "bedömningar", "försörjningsstödet"]
    assert analysis.stem_words(words) == ["nämnd", "-", "bedömning", "försörjningsstöd"]


def test_a_sentence_s_final_dot_is_not_part_of_its_last_word() -> None:
    # Possessive quantifiers gave "kassan." on Python 3.11.2, so the word was never found.
    assert analysis.words("Försäkringskassan. Dnr 2021.004, t.ex. x.") == [
        "försäkringskassan",
        "dnr",
        "2021.004",
        "t.ex",
        "x",
    ]
