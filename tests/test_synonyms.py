"""Synonyms and abbreviations: the built-in data, an archive's own file, and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer import analysis, compounds
from indexer.synonyms import Match, SynonymsError, load_synonyms, phrase_terms

SHARED_DIC = Path(__file__).resolve().parents[1] / ".." / "shared/corpus/lang/hunspell-sv/sv_SE.dic"


@pytest.fixture()
def with_lexicon(monkeypatch: pytest.MonkeyPatch):
    for path in (SHARED_DIC, compounds.DEFAULT_DIC):
        if path.is_file():
            monkeypatch.setenv(compounds.DIC_ENV, str(path))
            compounds.default_lexicon.cache_clear()
            yield
            compounds.default_lexicon.cache_clear()
            return
    pytest.skip("no hunspell-sv dictionary: neither ../shared nor /usr/share/hunspell has one")


def alternatives(query: str, extra: Path | None = None) -> dict[str, tuple[str, ...]]:
    words = query.split()
    return {
        " ".join(words[m.start : m.end]): m.alternatives for m in load_synonyms(extra).find(words)
    }


def test_forsorjningsstod_and_ekonomiskt_bistand_find_each_other() -> None:
    assert "ekonomiskt bistånd" in alternatives("försörjningsstöd")["försörjningsstöd"]
    # Inflected, and as two separate query words.
    assert "ekonomiskt bistånd" in alternatives("försörjningsstödet")["försörjningsstödet"]
    found = alternatives("långvarigt ekonomiskt bistånd Uppsala")
    assert set(found) == {"ekonomiskt bistånd"}
    assert "försörjningsstöd" in found["ekonomiskt bistånd"]


def test_abbreviations_expand_and_meanings_find_the_abbreviation(with_lexicon: None) -> None:
    assert alternatives("AME") == {"AME": ("Arbetsmarknadsenheten",)}
    assert alternatives("SIP") == {"SIP": ("samordnad individuell plan",)}
    assert alternatives("FK") == {"FK": ("Försäkringskassan",)}
    assert alternatives("ame")["ame"] == ("Arbetsmarknadsenheten",)  # not a Swedish word
    assert alternatives("arbetsmarknadsenheten")["arbetsmarknadsenheten"] == ("AME",)
    assert alternatives("samordnad individuell plan")["samordnad individuell plan"] == ("SIP",)
    # Two meanings: each finds the abbreviation, and they do not find each other.
    assert set(alternatives("SoF")["SoF"]) == {
        "Stöd och försörjning",
        "Social- och omsorgsförvaltningen",
    }
    assert alternatives("stöd och försörjning")["stöd och försörjning"] == ("SoF",)


def test_an_abbreviation_that_is_also_a_word_counts_only_in_capitals(with_lexicon: None) -> None:
    assert alternatives("SON") == {"SON": ("Social- och omsorgsnämnden",)}
    assert alternatives("son") == {}
    assert alternatives("sol") == {}
    assert alternatives("SOL") == {"SOL": ("socialtjänstlagen",)}


def test_every_abbreviation_the_seeds_use_is_known(shared_dir: Path) -> None:
    text = " ".join(p.read_text("utf-8") for p in sorted((shared_dir / "seeds").glob("*.txt")))
    for abbreviation in ("AME", "AMI", "IFO", "SIP", "FIA", "SFI", "KUN", "SoF", "IAF", "SGI"):
        assert abbreviation in text
        assert alternatives(abbreviation).get(abbreviation), abbreviation


def test_an_archive_adds_its_own_file(tmp_path: Path) -> None:
    own = tmp_path / "synonymer.yaml"
    own.write_text(
        "synonyms:\n  - [hemtjänst, hemhjälp]\n  - [försörjningsstöd, FBS]\n"
        "abbreviations:\n  VOF: Vård- och omsorgsförvaltningen\n",
        "utf-8",
    )
    assert alternatives("hemhjälp", own) == {"hemhjälp": ("hemtjänst",)}
    assert alternatives("VOF", own) == {"VOF": ("Vård- och omsorgsförvaltningen",)}
    # Built-in groups stay, and a word in two groups gets both.
    assert {"ekonomiskt bistånd", "FBS"} <= set(
        alternatives("försörjningsstöd", own)["försörjningsstöd"]
    )
    assert alternatives("hemhjälp") == {}  # without the archive's file


def test_matches_do_not_overlap_and_keep_word_positions() -> None:
    matches = load_synonyms().find(["SIP", "för", "försörjningsstöd", "i", "KS"])
    assert [(m.start, m.end) for m in matches] == [(0, 1), (2, 3), (4, 5)]
    assert isinstance(matches[0], Match)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("synonyms: [a, b", "ogiltig YAML"),
        ("- [a, b]\n", "en synonymfil är en mappning"),
        ("synonyms:\n  - [ensam]\n", "synonympost 1 måste ha minst två uttryck"),
        ("synonyms:\n  - [hemtjänst, 3]\n", "synonympost 1 måste ha minst två"),
        ("abbreviations:\n  'två ord': något\n", "måste vara ett ord"),
        ("abbreviations:\n  XY: []\n", "måste vara ett ord och ha en betydelse"),
        ("synonyms:\n  - [och, hemtjänst]\n", "'och' har bara stoppord"),
        ("färger: [röd]\n", "en synonymfil är en mappning"),
    ],
)
def test_a_bad_file_is_named_with_its_problem(tmp_path: Path, content: str, problem: str) -> None:
    bad = tmp_path / "synonymer.yaml"
    bad.write_text(content, "utf-8")
    with pytest.raises(SynonymsError, match=problem) as info:
        load_synonyms(bad)
    assert str(bad) in str(info.value) and "\n" not in str(info.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SynonymsError, match="synonymer.yaml: synonymfilen går inte att läsa"):
        load_synonyms(tmp_path / "synonymer.yaml")


def test_the_built_in_expressions_of_several_words_are_found_whole_in_a_text() -> None:
    text = "Hushållet får ekonomiskt bistånd. Bistånd, ekonomiskt sett, och en samordnad "
    text += "individuell plan."
    found = phrase_terms(analysis.analyze(text))
    assert found == [
        " ".join(analysis.analyze("ekonomiskt bistånd")),
        " ".join(analysis.analyze("samordnad individuell plan")),
    ]
