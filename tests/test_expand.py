"""Query expansion: which variants a typed query gets, and what --explain shows of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer import compounds
from indexer.expand import (
    FOLDED,
    FOLDED_WEIGHT,
    PART_WEIGHT,
    PARTS,
    SYNONYM_WEIGHT,
    Variant,
    describe,
    expand,
    variants,
)
from indexer.query import parse
from indexer.synonyms import load_synonyms

SHARED_DIC = Path(__file__).resolve().parents[1] / ".." / "shared/corpus/lang/hunspell-sv/sv_SE.dic"


@pytest.fixture(autouse=True)
def lexicon(monkeypatch: pytest.MonkeyPatch):
    for path in (SHARED_DIC, compounds.DEFAULT_DIC):
        if path.is_file():
            monkeypatch.setenv(compounds.DIC_ENV, str(path))
            compounds.default_lexicon.cache_clear()
            compounds.part_stems.cache_clear()
            yield
            compounds.default_lexicon.cache_clear()
            compounds.part_stems.cache_clear()
            return
    pytest.skip("no hunspell-sv dictionary: neither ../shared nor /usr/share/hunspell has one")


def expanded(query: str) -> list[Variant]:
    return variants(expand(parse(query), load_synonyms()))


def test_weights_keep_typed_above_synonym_above_folded_above_part() -> None:
    assert 1.0 > SYNONYM_WEIGHT > FOLDED_WEIGHT > PART_WEIGHT > 0


def test_a_compound_query_word_matches_its_parts_inside_longer_compounds() -> None:
    found = expanded("bedömning av arbetsförmåga")
    assert Variant(PARTS, ("arbet+förmåg",), PART_WEIGHT, "arbet+förmåg") in found
    assert Variant(PARTS, ("bedömning",), PART_WEIGHT, "bedömning") in found


def test_a_short_word_never_matches_as_a_part() -> None:
    assert expanded("stöd") == [Variant(PARTS, ("stöd",), PART_WEIGHT, "stöd")]
    assert expanded("tid") == []  # shorter than MIN_PART


def test_words_without_diacritics_get_the_folded_field_unless_they_are_words() -> None:
    assert Variant(FOLDED, ("forsorjningsstod",), FOLDED_WEIGHT, "forsorjningsstod") in expanded(
        "forsorjningsstod"
    )
    assert not [v for v in expanded("far") if v.field == FOLDED]
    assert not [v for v in expanded("får") if v.field == FOLDED]


def test_synonyms_span_several_words_and_quotes_stay_exact() -> None:
    shown = describe(expand(parse("ekonomiskt bistånd Uppsala"), load_synonyms()))
    assert "försörjningsstöd^0.6" in shown and "socialbidrag^0.6" in shown
    assert describe(expand(parse('"ekonomiskt bistånd" -SIP'), load_synonyms())) == (
        '("ekonomiskt bistånd" -SIP)'
    )


def test_explain_shows_every_expansion_of_the_issue_examples() -> None:
    synonyms = load_synonyms()
    assert describe(expand(parse("försörjningsstöd"), synonyms)) == (
        "((försörjningsstöd OR parts:försörjningsstöd^0.3 OR parts:försörjning+stöd^0.3)"
        ' OR "ekonomiskt bistånd"^0.6 OR socialbidrag^0.6)'
    )
    assert describe(expand(parse("AME"), synonyms)) == "(AME OR Arbetsmarknadsenheten^0.6)"
    assert describe(expand(parse("SIP"), synonyms)) == '(SIP OR "samordnad individuell plan"^0.6)'
    assert describe(expand(parse("FK"), synonyms)) == "(FK OR Försäkringskassan^0.6)"
    assert "folded:forsorjningsstod^0.5" in describe(expand(parse("forsorjningsstod"), synonyms))


def test_filters_case_numbers_and_exclusions_are_left_as_typed() -> None:
    query = "KS 2023-730 year:2021..2023 municipality:Uppsala -försörjningsstöd"
    assert describe(expand(parse(query), load_synonyms())) == (
        "(KS 2023-730 year:2021..2023 municipality:Uppsala -försörjningsstöd)"
    )
    assert expand(None) is None
