"""Compound splitting with the hunspell-sv lexicon, on the seeds' own words."""

from __future__ import annotations

import os
import pickle
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from indexer import compounds
from indexer.compounds import MIN_PART, Lexicon, LexiconWarning, split

SYSTEM_DIC = compounds.DEFAULT_DIC
SHARED_DIC = Path(__file__).resolve().parents[1] / ".." / "shared/corpus/lang/hunspell-sv/sv_SE.dic"


@pytest.fixture(scope="session")
def dic() -> Path:
    """The shared copy of hunspell-sv, else Debian's (the Makefile installs it)."""
    for path in (SHARED_DIC, SYSTEM_DIC):
        if path.is_file() and path.with_suffix(".aff").is_file():
            return path
    pytest.skip("no hunspell-sv dictionary: neither ../shared nor /usr/share/hunspell has one")


@pytest.fixture(scope="session")
def lexicon(dic: Path) -> Lexicon:
    return compounds.load_lexicon(dic)


@pytest.fixture()
def use_dic(monkeypatch: pytest.MonkeyPatch):
    """Point the default lexicon at another dictionary (or a missing one)."""

    def use(path: Path) -> None:
        monkeypatch.setenv(compounds.DIC_ENV, str(path))
        compounds.default_lexicon.cache_clear()
        compounds.part_stems.cache_clear()

    yield use
    compounds.default_lexicon.cache_clear()
    compounds.part_stems.cache_clear()


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("försörjningsstöd", ("försörjnings", "stöd")),
        ("försörjningsstödet", ("försörjnings", "stödet")),
        ("arbetsförmågebedömning", ("arbets", "förmåge", "bedömning")),
        ("arbetsförmågebedömningar", ("arbets", "förmåge", "bedömningar")),
        ("socialnämnden", ("social", "nämnden")),
        ("arbetsmarknadsenheten", ("arbetsmarknads", "enheten")),
        ("nämndsammanträdena", ("nämnd", "sammanträdena")),
        ("handläggningstider", ("handläggnings", "tider")),
        ("värdeskapande", ("värde", "skapande")),
    ],
)
def test_compounds_split_at_their_linking_letters(
    lexicon: Lexicon, word: str, parts: tuple[str, ...]
) -> None:
    assert split(word, lexicon) == parts


@pytest.mark.parametrize(
    "word",
    [
        "kommunen",  # not kom|munen: parts are at least MIN_PART letters
        "utbildning",  # not ut|bildning
        "bedömningen",  # not be|dömningen
        "genomföra",  # a particle verb, not genom|föra
        "överskott",  # not över|skott
        "väntetid",  # tid is shorter than MIN_PART
        "stöd",
        "qwertyuiopasdfg",  # nothing the lexicon knows
        "kpmg:s",
        "2021-2022",
    ],
)
def test_words_that_are_not_compounds_stay_whole(lexicon: Lexicon, word: str) -> None:
    assert split(word, lexicon) == ()


def test_no_part_of_any_seed_word_is_shorter_than_the_minimum(
    lexicon: Lexicon, shared_dir: Path
) -> None:
    words = {
        w.lower()
        for path in sorted((shared_dir / "seeds").glob("*.txt"))
        for w in re.findall(r"[^\W\d_]+", path.read_text("utf-8"))
    }
    splits = {w: split(w, lexicon) for w in words}
    compound = {w: p for w, p in splits.items() if p}
    assert len(compound) > 100, "the seeds are full of compounds"
    for word, parts in compound.items():
        assert "".join(parts) == word
        assert all(len(p) >= MIN_PART for p in parts), (word, parts)
    # The words issue 6 names, as the seeds write them.
    assert compound["arbetsförmågebedömning"] == ("arbets", "förmåge", "bedömning")
    assert compound["socialnämnden"] == ("social", "nämnden")
    assert compound["arbetsmarknadsenheten"] == ("arbetsmarknads", "enheten")


def test_knows_words_as_written(lexicon: Lexicon) -> None:
    assert lexicon.knows("far") and lexicon.knows("får") and lexicon.knows("nämnderna")
    assert not lexicon.knows("forsorjningsstod")
    assert not lexicon.knows("namnden")


def test_part_terms_are_part_stems_and_inner_runs_of_parts_in_order(use_dic, dic: Path) -> None:
    use_dic(dic)
    text = "Arbetsförmågebedömningar för försörjningsstödet i kommunen"
    assert compounds.part_terms(text) == [
        *("arbet", "förmåg", "bedömning", "arbet+förmåg", "förmåg+bedömning"),
        *("försörjning", "stöd"),
    ]
    # Whoosh pickles what the index calls into its writer processes' job files.
    assert pickle.loads(pickle.dumps(compounds.part_terms))("Socialnämnden") == ["social", "nämnd"]


def test_lexicon_is_cached_and_rebuilt_when_the_dictionary_changes(
    use_dic, dic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    small = tmp_path / "dict" / "sv_SE.dic"
    small.parent.mkdir()
    # Three real entries with their real flags, and the real affix rules.
    small.write_text("3\nförsörjning/ADfGvY\nstöd/ABDfsY\nsocial/OPQUXY\n", "utf-8")
    shutil.copy(dic.with_suffix(".aff"), small.with_suffix(".aff"))
    use_dic(small)
    assert compounds.part_stems("försörjningsstödet") == ("försörjning", "stöd")
    cached = list((tmp_path / "cache" / "diarium" / "lexicon").glob("sv_SE-*.pickle"))
    assert len(cached) == 1
    with cached[0].open("rb") as handle:
        assert pickle.load(handle) == compounds.default_lexicon()
    # A word added to the dictionary is picked up under a new cache key.
    assert compounds.split("socialnämnden", compounds.load_lexicon(small)) == ()
    with small.open("a", encoding="utf-8") as handle:
        handle.write("nämnd/ADfHsY\n")
    assert compounds.split("socialnämnden", compounds.load_lexicon(small)) == (
        "social",
        "nämnden",
    )
    assert len(list(cached[0].parent.glob("sv_SE-*.pickle"))) == 2


def test_missing_lexicon_warns_once_and_leaves_words_whole(use_dic, tmp_path: Path) -> None:
    use_dic(tmp_path / "nowhere" / "sv_SE.dic")
    problem = compounds.lexicon_problem()
    assert problem and "nowhere/sv_SE.dic" in problem and "hunspell-sv" in problem
    with pytest.warns(LexiconWarning, match="sammansatta ord delas inte"):
        assert compounds.part_stems("försörjningsstöd") == ()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert compounds.part_stems("socialnämnden") == ()


def test_the_command_says_a_missing_lexicon_in_one_line(tmp_path: Path) -> None:
    text = tmp_path / "beslut.txt"
    text.write_text("Socialnämnden beslutar om försörjningsstöd.\n", encoding="utf-8")
    env = os.environ | {
        compounds.DIC_ENV: str(tmp_path / "nowhere" / "sv_SE.dic"),
        "DIARIUM_ARCHIVE": str(tmp_path / "archive"),
    }
    for command in (["ingest", str(text)], ["search", "försörjningsstöd"]):  # search indexes
        result = subprocess.run(
            [sys.executable, "-m", "cli", *command],
            capture_output=True,
            text=True,
            env=env,
            cwd=Path(__file__).resolve().parents[1],
            check=False,
        )
        assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "ordlistan" in line]
    assert len(warned) == 1 and warned[0].startswith("diarium: varning: den svenska ordlistan")
    assert "LexiconWarning" not in result.stderr and ".py:" not in result.stderr


def test_an_index_made_without_the_lexicon_asks_for_a_reindex_once_it_is_there(
    use_dic, dic: Path, tmp_path: Path
) -> None:
    from indexer import Index, IndexDoc, IndexWarning

    def found(query: str) -> int:
        with Index(tmp_path / "index") as index:
            return index.search(query).total

    def write(docs: list[IndexDoc], *, rebuild: bool = False) -> None:
        with Index(tmp_path / "index") as index:
            index.rebuild(docs) if rebuild else index.add(docs)

    doc = IndexDoc(id="a1", title="Uppföljning", pages=[(1, "Beslut om försörjningsstöd.")])
    use_dic(tmp_path / "nowhere" / "sv_SE.dic")
    with pytest.warns(LexiconWarning):
        write([doc], rebuild=True)
    use_dic(dic)
    with pytest.warns(IndexWarning, match="utan den svenska ordlistan.*diarium reindex"):
        assert found("stöd") == 0
    write([doc], rebuild=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", IndexWarning)
        assert found("stöd") == 1
        write([doc])  # added with the lexicon: the index stays complete
        assert found("stöd") == 1
    use_dic(tmp_path / "nowhere" / "sv_SE.dic")
    with pytest.warns(LexiconWarning):
        write([IndexDoc(id="b2", pages=[(1, "Ekonomiskt bistånd.")])])
    use_dic(dic)
    with pytest.warns(IndexWarning):
        found("stöd")
