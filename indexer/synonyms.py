"""Synonyms and abbreviations of municipal Swedish, expanded when a query is searched.

The data is YAML (indexer/data/synonyms-sv.yaml, which explains the format), so a municipality
extends it with a file of its own named by the archive setting `synonyms`; nothing here is
specific to one municipality. Expressions are matched by their analysed terms (stems without
stop words), so `försörjningsstödet` finds the group of `försörjningsstöd` and the two query
words `ekonomiskt bistånd` find it as well.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import compress
from pathlib import Path
from typing import Any

import yaml

from archive import messages as msg
from archive.safeyaml import safe_load
from indexer import analysis, compounds
from indexer.errors import SearchIndexError

BUILTIN = "data/synonyms-sv.yaml"
# Joins the terms of an expression into one term of the index's `phrases` field.
PHRASE_JOIN = " "
# The longest expression matched, in query words ("lagen om stöd och service till vissa
# funktionshindrade" is eight words; nobody types more than that as one name).
MAX_WORDS = 8


class SynonymsError(SearchIndexError):
    """A synonyms file cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class Match:
    """Query words start..end (exclusive) say what `alternatives` say, in the data's wording."""

    start: int
    end: int
    alternatives: tuple[str, ...]


@dataclass
class Synonyms:
    """Equivalent expressions by their terms, and abbreviations by their lower-cased letters."""

    sources: list[str] = field(default_factory=list)
    # terms of an expression -> the expressions it may be replaced by
    by_terms: dict[tuple[str, ...], list[str]] = field(default_factory=lambda: defaultdict(list))
    # lower-cased abbreviation -> (abbreviation as written, what it stands for)
    abbreviations: dict[str, list[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def add_group(self, expressions: Sequence[str]) -> None:
        keyed = [(e, tuple(analysis.analyze(e))) for e in expressions]
        for _, terms in keyed:
            for other, other_terms in keyed:
                if other_terms != terms:
                    _add(self.by_terms[terms], other)

    def add_abbreviation(self, abbreviation: str, meanings: Sequence[str]) -> None:
        for meaning in meanings:
            _add(self.by_terms[tuple(analysis.analyze(meaning))], abbreviation)
            self.abbreviations[abbreviation.lower()].append((abbreviation, meaning))

    def find(self, words: Sequence[str]) -> list[Match]:
        """Non-overlapping runs of query words that have synonyms, the longest run first."""
        word_terms = [analysis.analyze(w) for w in words]
        matches: list[Match] = []
        i = 0
        while i < len(words):
            for j in range(min(len(words), i + MAX_WORDS), i, -1):
                alternatives = list(self._meanings(words[i])) if j == i + 1 else []
                # A run starts and ends on a word that is searched (not on a stop word).
                if word_terms[i] and word_terms[j - 1]:
                    terms = tuple(t for ts in word_terms[i:j] for t in ts)
                    for other in self.by_terms.get(terms, ()):
                        _add(alternatives, other)
                if alternatives:
                    matches.append(Match(i, j, tuple(alternatives)))
                    i = j
                    break
            else:
                i += 1
        return matches

    def _meanings(self, typed: str) -> Iterable[str]:
        for written, meaning in self.abbreviations.get(typed.lower(), ()):
            if _abbreviation_matches(typed, written):
                yield meaning


def _add(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def _abbreviation_matches(typed: str, written: str) -> bool:
    """`SON` always; `son` only if it is not a Swedish word (it is: `son` stays a son)."""
    if typed in (written, written.upper()):
        return True
    lexicon = compounds.default_lexicon()
    return lexicon is not None and not lexicon.knows(written.lower())


def load_synonyms(extra: Path | None = None) -> Synonyms:
    """The built-in synonyms plus those of `extra` (an archive's own file), if given."""
    stamp = None
    if extra is not None:
        try:
            stamp = extra.stat().st_mtime_ns
        except OSError as exc:
            raise SynonymsError(
                f"{extra}: synonymfilen går inte att läsa: {msg.os_error(exc)}"
            ) from None
    return _load(extra, stamp)


@lru_cache(maxsize=8)
def _load(extra: Path | None, _stamp: int | None) -> Synonyms:
    synonyms = Synonyms()
    builtin = resources.files("indexer").joinpath(BUILTIN)
    _read_into(synonyms, builtin.read_text("utf-8"), f"indexer/{BUILTIN}")
    if extra is not None:
        try:
            text = extra.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SynonymsError(f"{extra}: synonymfilen går inte att läsa: {exc}") from None
        _read_into(synonyms, text, str(extra))
    return synonyms


@lru_cache(maxsize=1)
def indexed_phrases() -> dict[str, tuple[tuple[str, ...], ...]]:
    """The built-in data's expressions of several terms, by their first term, longest first.

    Each is indexed as one term where it occurs (schema field `phrases`): a synonym such as
    `ekonomiskt bistånd` is then one posting list to read, not two common words' lists and a
    check of word order in every document holding both (at 100,000 documents that check was
    most of a `försörjningsstöd` query). An archive's own expressions are not indexed this way
    (the index must not depend on a setting that changes) and are checked word by word.
    """
    by_first: defaultdict[str, list[tuple[str, ...]]] = defaultdict(list)
    for terms in _load(None, None).by_terms:
        if len(terms) > 1:
            by_first[terms[0]].append(terms)
    return {first: tuple(sorted(p, key=len, reverse=True)) for first, p in by_first.items()}


def is_indexed_phrase(terms: Sequence[str]) -> bool:
    return tuple(terms) in indexed_phrases().get(terms[0], ()) if len(terms) > 1 else False


def phrase_terms(terms: Sequence[str]) -> list[str]:
    """The indexed expressions occurring in a document's terms, each as one joined term, in
    the order of their places (at one place, the longest first)."""
    phrases = indexed_phrases()
    present = phrases.keys() & set(terms)
    if not present:  # most documents: one set operation instead of a look at every term
        return []
    found = []
    # The places of the expressions' first terms, found by compress() and map() in C.
    for at in compress(range(len(terms)), map(present.__contains__, terms)):
        for phrase in phrases[terms[at]]:
            if tuple(terms[at : at + len(phrase)]) == phrase:
                found.append(PHRASE_JOIN.join(phrase))
    return found


def _read_into(synonyms: Synonyms, text: str, name: str) -> None:
    try:
        data: Any = safe_load(text)
    except yaml.YAMLError as exc:
        raise SynonymsError(f"{name}: {msg.yaml_error(exc)}") from None
    if data is None:
        data = {}
    if not isinstance(data, Mapping) or set(data) - {"synonyms", "abbreviations"}:
        raise SynonymsError(
            f"{name}: en synonymfil är en mappning med nycklarna 'synonyms' (en lista av listor) "
            "och 'abbreviations' (förkortning: betydelse eller lista av betydelser)"
        )
    groups = data.get("synonyms") or []
    if not isinstance(groups, list):
        raise SynonymsError(f"{name}: 'synonyms' måste vara en lista av listor med uttryck")
    for number, group in enumerate(groups, start=1):
        expressions = _texts(group)
        if expressions is None or len(expressions) < 2:
            raise SynonymsError(
                f"{name}: synonympost {number} måste ha minst två uttryck, inte {group!r}"
            )
        _check_terms(expressions, name)
        synonyms.add_group(expressions)
    abbreviations = data.get("abbreviations") or {}
    if not isinstance(abbreviations, Mapping):
        raise SynonymsError(
            f"{name}: 'abbreviations' måste para ihop en förkortning med dess betydelse"
        )
    for abbreviation, meaning in abbreviations.items():
        meanings = _texts([meaning] if isinstance(meaning, str) else meaning)
        if not isinstance(abbreviation, str) or not abbreviation.isalnum() or not meanings:
            raise SynonymsError(
                f"{name}: förkortningen {abbreviation!r} måste vara ett ord och ha en betydelse "
                "(text eller en lista med texter)"
            )
        _check_terms([abbreviation, *meanings], name)
        synonyms.add_abbreviation(abbreviation, meanings)
    synonyms.sources.append(name)


def _texts(value: Any) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return None
    return [" ".join(v.split()) for v in value]


def _check_terms(expressions: Iterable[str], name: str) -> None:
    for expression in expressions:
        if not analysis.analyze(expression):
            raise SynonymsError(
                f"{name}: {expression!r} har bara stoppord och kan därför aldrig sökas fram"
            )
