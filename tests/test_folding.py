"""Folding å ä ö for the folded field, and which query words are folded."""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path

import pytest

from indexer import analysis, compounds, folding
from indexer.folding import fold, folded_term, wants_folding

SHARED_DIC = Path(__file__).resolve().parents[1] / ".." / "shared/corpus/lang/hunspell-sv/sv_SE.dic"


@pytest.fixture()
def lexicon_at(monkeypatch: pytest.MonkeyPatch):
    def use(path: Path) -> None:
        monkeypatch.setenv(compounds.DIC_ENV, str(path))
        compounds.default_lexicon.cache_clear()

    yield use
    compounds.default_lexicon.cache_clear()


@pytest.fixture()
def with_lexicon(lexicon_at) -> None:
    for path in (SHARED_DIC, compounds.DEFAULT_DIC):
        if path.is_file():
            lexicon_at(path)
            return
    pytest.skip("no hunspell-sv dictionary: neither ../shared nor /usr/share/hunspell has one")


def test_fold_removes_diacritics_and_keeps_everything_else() -> None:
    assert fold("Försörjningsstöd på Åland, Malmö") == "Forsorjningsstod pa Aland, Malmo"
    assert fold("idéburet, Müller, nämnd") == "ideburet, Muller, namnd"
    assert fold("KS-2023-00730 §16 ab") == "KS-2023-00730 §16 ab"


def test_folded_terms_match_the_stem_of_the_word_typed_without_diacritics() -> None:
    for real, typed in [
        ("försörjningsstödet", "forsorjningsstod"),
        ("försörjningsstöd", "forsorjningsstodet"),
        ("nämnden", "namnd"),
        ("åtgärderna", "atgarder"),
        ("arbetsförmågebedömningar", "arbetsformagebedomning"),
    ]:
        assert folded_term(real) == analysis.stem(typed), (real, typed)
    assert folded_term("kommunen") is None  # nothing to fold: not repeated in the folded field


def test_folded_field_holds_only_words_with_diacritics_and_no_stop_words() -> None:
    text = "Försörjningsstödet för hushåll i kommunen är på väg upp; får och far."
    assert folding.folded_terms(text) == ["forsorjningsstod", "hushall", "vag", "far"]
    assert pickle.loads(pickle.dumps(folding.folded_terms))("Nämnden") == ["namnd"]


def test_words_typed_correctly_are_not_folded(with_lexicon: None) -> None:
    assert wants_folding("forsorjningsstod")
    assert wants_folding("namnden")
    assert wants_folding("bistand")
    assert not wants_folding("far")  # a word of its own: stays apart from får
    assert not wants_folding("har")
    assert not wants_folding("får")  # typed with diacritics
    assert not wants_folding("2021")


def test_without_lexicon_every_word_without_diacritics_is_folded(
    lexicon_at, tmp_path: Path
) -> None:
    lexicon_at(tmp_path / "missing.dic")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", compounds.LexiconWarning)
        assert folding.wants_folding("far")
    assert not folding.wants_folding("får")
