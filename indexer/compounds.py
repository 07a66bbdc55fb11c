"""Swedish compound splitting with the hunspell-sv lexicon: `försörjnings|stöd`, `arbets|förmåge|…`.

Why not a library: Hunspell itself (the C library behind `hunspell`/`cyhunspell`, and its pure
Python port `spylls`) only decomposes words the dictionary does not list whole, so it never splits
`försörjningsstöd` or `socialnämnd`, which hunspell-sv lists as entries; its morphological output
also drops parts that carry affixes (`mottagningsgruppen` comes back as `pa:gruppen` alone). The
dictionary's compound data is what we need, not its checker: hunspell-sv marks which forms may
begin or continue a compound (flags X and U, including generated linking forms such as
`försörjnings`, `förmåge`, `tjänste`) and which words may end one (flag Y). This module reads
those sets once, keeps them as a compact pickle in the user cache keyed by the files' size and
mtime, and splits words with them.

A split has at least two parts of MIN_PART letters or more; the fewest parts win, then the
longest first part (`värde|skapande`, not `värd|eskapande`). The last part is matched by its
Snowball stem against the stems of every form of a Y word, so inflected heads (`stödet`,
`nämnderna`) need no list of their own. A word the lexicon cannot cover is left whole.

Everything the index calls is a module-level function, so Whoosh can pickle it into its TOC and
into the job files of its writer processes; each process loads the lexicon from the cache on
first use.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import platformdirs

from indexer import analysis
from indexer.unpickling import RestrictedUnpickler

log = logging.getLogger(__name__)

# Where Debian's hunspell-sv (the Makefile's `system` target) puts the dictionary; the variable
# lets a user or a test point at another copy of sv_SE.dic (its .aff beside it).
DEFAULT_DIC = Path("/usr/share/hunspell/sv_SE.dic")
DIC_ENV = "DIARIUM_HUNSPELL_SV"

# Shortest part a split may have: below this, pieces such as "kom|munen" or "be|dömning" would
# split plain words, and a two- or three-letter part would match far too much on its own.
MIN_PART = 4
MIN_WORD = 2 * MIN_PART
# First parts that are adverbs or particles of a verb: "genom|föra", "över|skott", "fram|tida"
# are words of their own, not compounds of "föra", "skott" or "tida". Swedish, not municipal,
# so it is code rather than municipality data.
_PARTICLES = frozenset(
    {"fram", "fort", "genom", "över", "under", "efter", "fast", "bort", "emot", "igen", "ihop"}
    | {"undan", "sönder", "inne", "nere", "uppe", "borta"}
)

# hunspell-sv's compound flags (sv_SE.aff: COMPOUNDBEGIN X, COMPOUNDMIDDLE U, COMPOUNDEND Y).
_BEGIN, _MIDDLE, _END = "X", "U", "Y"
# Bump when what build_lexicon() produces changes: old cache files are then ignored.
_CACHE_FORMAT = 2


class LexiconWarning(UserWarning):
    """The Swedish lexicon is missing or unreadable; search works, without compound splitting."""


@dataclass(frozen=True)
class Lexicon:
    """The compound data of one hunspell dictionary."""

    source: str
    heads: frozenset[str]  # forms that may begin or continue a compound
    tails: frozenset[str]  # Snowball stems of every form that may end one
    others: frozenset[str]  # Snowball stems of every other form of a word

    def knows(self, word: str) -> bool:
        """Whether a lower-cased word is Swedish as written (any inflected form of an entry)."""
        stem = analysis.stem(word)
        return stem in self.tails or stem in self.others or word in self.heads


@dataclass(frozen=True)
class _Rule:
    strip: str
    add: str
    flags: str  # continuation flags of the produced form
    condition: re.Pattern[str]


def _read_rules(aff: Path) -> dict[str, list[_Rule]]:
    """The suffix rules (SFX) of an .aff file by flag; prefixes do not occur in hunspell-sv."""
    rules: dict[str, list[_Rule]] = defaultdict(list)
    lines = aff.read_text("utf-8").splitlines()
    i = 0
    while i < len(lines):
        head = lines[i].split()
        i += 1
        if len(head) != 4 or head[0] != "SFX" or head[2] not in ("Y", "N"):
            continue
        flag, count = head[1], int(head[3])
        for line in lines[i : i + count]:
            fields = line.split()
            if len(fields) < 4 or fields[0] != "SFX":
                continue
            add, _, flags = fields[3].partition("/")
            cond = fields[4] if len(fields) > 4 else "."
            rules[flag].append(
                _Rule(
                    strip="" if fields[2] == "0" else fields[2],
                    add="" if add == "0" else add,
                    flags=flags,
                    condition=re.compile(f"(?:{cond})$"),
                )
            )
        i += count
    return rules


def build_lexicon(dic: Path) -> Lexicon:
    """Read a hunspell .dic and the .aff beside it into the sets a split needs."""
    aff = dic.with_suffix(".aff")
    rules = _read_rules(aff)
    heads: set[str] = set()
    tails: set[str] = set()
    others: set[str] = set()
    lines = dic.read_text("utf-8").splitlines()
    for line in lines[1:]:  # the first line is the entry count
        word, _, flags = line.strip().partition("/")
        if not word or " " in word:
            continue
        word = word.lower()
        ends = _END in flags
        if _BEGIN in flags or _MIDDLE in flags:
            heads.add(word)
        (tails if ends else others).add(word)
        for flag in flags:
            for rule in rules.get(flag, ()):
                if not word.endswith(rule.strip) or not rule.condition.search(word):
                    continue
                form = word[: len(word) - len(rule.strip)] + rule.add
                if _BEGIN in rule.flags or _MIDDLE in rule.flags:
                    heads.add(form)
                else:
                    (tails if ends else others).add(form)
    tail_stems = frozenset(analysis.stem_words(sorted(tails)))
    return Lexicon(
        source=str(dic),
        heads=frozenset(heads),
        tails=tail_stems,
        others=frozenset(analysis.stem_words(sorted(others))) - tail_stems,
    )


def _cache_file(dic: Path) -> Path:
    aff = dic.with_suffix(".aff")
    stamp = "|".join(
        str(part)
        for path in (dic, aff)
        for part in (path.resolve(), path.stat().st_size, path.stat().st_mtime_ns)
    )
    digest = hashlib.sha256(f"{_CACHE_FORMAT}|{stamp}".encode()).hexdigest()[:16]
    return Path(platformdirs.user_cache_dir("diarium")) / "lexicon" / f"{dic.stem}-{digest}.pickle"


_LEXICON_GLOBALS = frozenset({(__name__, "Lexicon")})


def load_lexicon(dic: Path) -> Lexicon:
    """The lexicon of `dic`, from the user cache when it was built before (about 0.1 s)."""
    cached = _cache_file(dic)
    try:
        with cached.open("rb") as handle:
            # the cache folder is the user's, but what it holds is read as data, never run
            lexicon = RestrictedUnpickler(handle, _LEXICON_GLOBALS).load()
        if isinstance(lexicon, Lexicon):
            return lexicon
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError):
        pass
    lexicon = build_lexicon(dic)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(lexicon, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cached)
    except OSError as exc:  # a read-only home still gets splitting, only slower to start
        log.debug("cannot cache the lexicon in %s: %s", cached, exc)
    return lexicon


def dictionary_path() -> Path:
    """The hunspell-sv dictionary in use: $DIARIUM_HUNSPELL_SV, else Debian's."""
    return Path(os.environ.get(DIC_ENV) or DEFAULT_DIC)


@cache
def default_lexicon() -> Lexicon | None:
    """The lexicon of dictionary_path(), or None (with one warning) when it cannot be read."""
    dic = dictionary_path()
    problem = lexicon_problem()
    if problem:
        warnings.warn(problem, LexiconWarning, stacklevel=2)
        return None
    try:
        return load_lexicon(dic)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        warnings.warn(
            f"den svenska ordlistan {dic} går inte att läsa ({exc}); "
            "söker utan att dela sammansatta ord",
            LexiconWarning,
            stacklevel=2,
        )
        return None


def has_lexicon() -> bool:
    """Whether compounds are split (warns once when not, as default_lexicon does)."""
    return default_lexicon() is not None


def lexicon_problem() -> str | None:
    """Why compound splitting is off, as one line for a person; None when the lexicon is there."""
    dic = dictionary_path()
    if dic.is_file() and dic.with_suffix(".aff").is_file():
        return None
    return (
        f"den svenska ordlistan {dic} (med sin .aff) saknas, så sammansatta ord delas inte "
        "(`stöd` hittar inte `försörjningsstöd`); installera Debians hunspell-sv "
        f"(`make system`) eller sätt {DIC_ENV} till en sv_SE.dic"
    )


def split(word: str, lexicon: Lexicon) -> tuple[str, ...]:
    """The parts of a lower-cased compound as written in it, or () when it is not one.

    `försörjningsstödet` -> ("försörjnings", "stödet"); linking letters stay on their part.
    """
    if len(word) < MIN_WORD or not word.isalpha():
        return ()
    best = _best_split(word, lexicon.heads, lexicon.tails)
    return best if best and len(best) > 1 else ()


def _best_split(word: str, heads: frozenset[str], tails: frozenset[str]) -> tuple[str, ...]:
    """Fewest parts, then longest first part; a search over cut points, memoised per offset."""
    n = len(word)
    memo: dict[int, tuple[str, ...] | None] = {}

    def rest(i: int) -> tuple[str, ...] | None:
        if i in memo:
            return memo[i]
        tail = word[i:]
        found: tuple[str, ...] | None = None
        if i and analysis.stem(tail) in tails:
            found = (tail,)
        else:
            for j in range(n - MIN_PART, i + MIN_PART - 1, -1):  # longest first part first
                part = word[i:j]
                if part not in heads or (i == 0 and part in _PARTICLES):
                    continue
                after = rest(j)
                if after is not None and (found is None or len(after) + 1 < len(found)):
                    found = (part, *after)
                    if len(found) == 2:
                        break
        memo[i] = found
        return found

    return rest(0) or ()


@lru_cache(maxsize=200_000)
def part_stems(word: str) -> tuple[str, ...]:
    """Snowball stems of a lower-cased word's parts (default lexicon); () if not a compound."""
    lexicon = default_lexicon()
    if lexicon is None:
        return ()
    return tuple(analysis.stem_words(list(split(word, lexicon))))


# Joins the part stems of a run of parts into one term of the parts field.
JOIN = "+"


def part_terms(text: str) -> list[str]:
    """The terms of the field that holds compound parts, for each compound in order.

    Words that are not compounds add nothing (the body field has every whole word). A
    compound adds each part's stem and, when it has three parts or more, each inner run of
    parts joined by JOIN (`arbet+förmåg` and `förmåg+bedömning` for
    `arbetsförmågebedömning`): a query compound's parts (`arbetsförmåga`) then match inside
    a longer compound with one term lookup, where positions would cost a phrase check.
    """
    return parts_of(analysis.words(text))


def parts_of(words: Iterable[str]) -> list[str]:
    """part_terms() of text already split into lower-cased words."""
    out: list[str] = []
    for word in words:
        out += word_part_terms(word)
    return out


def word_part_terms(word: str) -> tuple[str, ...]:
    """The parts field's terms of one lower-cased word (none for a word that is no compound)."""
    if len(word) < MIN_WORD:
        return ()
    stems = part_stems(word)
    if len(stems) < 3:
        return stems
    runs = [
        JOIN.join(stems[i : i + size])
        for size in range(2, len(stems))
        for i in range(len(stems) - size + 1)
    ]
    return (*stems, *runs)
