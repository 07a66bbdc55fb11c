"""Filter values in any form a person types them, resolved to the form the archive stores.

`Lekebergs kommun`, `Lekebergs`, `lekeberg` are Lekeberg; `goteborg` and `Göteborgs Stad` are
Göteborg; `SN` is Socialnämnden; `tjansteskrivelse` is tjänsteskrivelse. A value that names
nothing known is refused with the closest known names (`ingen kommun heter "Lekebrg"; menade du
Lekeberg?`) instead of silently matching no document. `list` and `search` both resolve their
filters here, so they take the same forms and filter alike.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

from archive.errors import DiariumError
from archive.metadata.profiles import Profiles
from archive.model import KINDS

SUGGESTIONS = 3
_CUTOFF = 0.75
_SUFFIX = re.compile(r"\s+(?:kommun|stad)$")
_YEARS = re.compile(r"^\s*(?P<low>\d{4})?\s*(?:(?P<range>\.\.)\s*(?P<high>\d{4})?)?\s*$")


class FilterError(DiariumError):
    """A filter value that names no municipality, board or kind the archive knows."""


def fold(text: str) -> str:
    """Case, diacritics and spacing off: the form names are compared in."""
    text = unicodedata.normalize("NFKD", " ".join(text.casefold().split()))
    return "".join(c for c in text if not unicodedata.combining(c))


def _lookup(value: str, known: dict[str, str]) -> str | None:
    folded = fold(value)
    if folded in known:
        return known[folded]
    bare = _SUFFIX.sub("", folded)
    for form in (bare, bare.removesuffix("s")):
        if form in known:
            return known[form]
    return None


def _refuse(what: str, value: str, known: Iterable[str]) -> FilterError:
    names = sorted(set(known))
    by_fold = {fold(n): n for n in names}
    close = difflib.get_close_matches(fold(value), list(by_fold), n=SUGGESTIONS, cutoff=_CUTOFF)
    message = f'ingen {what} heter "{value}"'
    if close:
        message += "; menade du " + " eller ".join(by_fold[c] for c in close) + "?"
    return FilterError(message)


def municipality(profiles: Profiles, value: str, stored: Iterable[str] = ()) -> str:
    """The stored name of a municipality typed in any form (stored names count as known)."""
    stored = list(stored)
    known = {fold(form): name for form, name in profiles.name_forms().items()}
    known.update({fold(name): name for name in stored})
    for form in profiles.name_forms():
        canonical = profiles.canonical(form)
        known.setdefault(fold(canonical), canonical)
    found = _lookup(value, known) or _lookup(profiles.canonical(value), known)
    if found is None:
        raise _refuse("kommun", value, [*profiles.name_forms().values(), *stored])
    return found


def kind(value: str) -> str:
    known = {fold(k): k for k in KINDS}
    found = known.get(fold(value))
    if found is None:
        raise _refuse("dokumenttyp", value, KINDS)
    return found


def board(profiles: Profiles, value: str, stored: Iterable[str] = ()) -> str:
    """A board's stored name from its name in any case or diacritics, or its short form."""
    rules = profiles.rules(None)
    if value.strip() in rules.board_abbreviations:
        return rules.board_abbreviations[value.strip()]
    names = [
        *rules.common.get("common_boards", {}),
        *(b for p in profiles.profiles.values() for b in p.boards),
        *stored,
    ]
    known = {fold(name): name for name in names}
    short = {fold(s): name for s, name in rules.board_abbreviations.items()}
    found = known.get(fold(value)) or short.get(fold(value))
    if found is None:
        raise _refuse("nämnd", value, names)
    return found


def years(value: int | str | None) -> tuple[int, int] | None:
    """`2021` or `2021..2023` (either end open) as an inclusive range; None for no filter."""
    if value is None or str(value).strip() == "":
        return None
    match = _YEARS.match(str(value))
    if not match or not (match.group("low") or match.group("high")):
        raise FilterError(f'"{value}" är inget år: skriv 2021 eller 2021..2023')
    low = int(match.group("low") or 0)
    high = int(match.group("high") or 9999) if match.group("range") else low
    return low, high
