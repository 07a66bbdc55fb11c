"""Personal data in text: identity numbers, phone numbers, e-mail and postal addresses.

Each finder returns spans (kind, start, end) into the text it was given; `find` runs them all
and keeps the first claim where two overlap, identity numbers before the rest, so a
personnummer is never half taken for a phone number.

Identity numbers are validated by the `personnummer` package (date and Luhn check digit)
rather than by code of our own; the regular expression here only finds the shapes a number is
written in, and every candidate must pass that check, which is what keeps case numbers
(`KS 2019/0123`), dates, amounts and organisation numbers (month 20 and up) out.
Phone numbers are found by `phonenumbers` (Google's libphonenumber data), which knows the
Swedish number plan; e-mail and postal addresses are shapes simple enough for a pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import partial

import phonenumbers
from personnummer import personnummer

PERSONNUMMER = "personnummer"
SAMORDNINGSNUMMER = "samordningsnummer"
PHONE = "telefonnummer"
EMAIL = "e-post"
ADDRESS = "adress"
KINDS = (PERSONNUMMER, SAMORDNINGSNUMMER, PHONE, EMAIL, ADDRESS)
IDENTITY_KINDS = frozenset({PERSONNUMMER, SAMORDNINGSNUMMER})

# 19811218-9876, 811218-9876, 8112189876, 198112189876, 811218+9876 (over 100), with a hyphen
# of any kind and at most a space around it. Not part of a longer run of digits, nor of a
# case number or reference (a slash, dot or hyphen joining digits before or after).
_IDENTITY = re.compile(
    r"(?<![\w/+\-\u2010\u2011\u2013.,:])"
    r"(?P<century>18|19|20)?(?P<date>\d{6})"
    r"(?P<sep> ?[-+\u2010\u2011\u2013] ?| )?"
    r"(?P<number>\d{4})"
    r"(?![\w/\-\u2010\u2011\u2013]|[.,:]\d)"
)
# A 10-digit run without separator that starts 07 is a mobile number as often as the number of
# someone born in 2000-2009; words like these just before it settle it as a phone number.
_PHONE_WORDS = re.compile(r"(tel|tfn|telefon\w*|mobil\w*|mob|fax|växel|sms|ring\w*)\W{0,6}$", re.I)
_DIGIT = re.compile(r"\d")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,24}(?![\w-])")
# Street and number (or Box N), then a postcode and a town: "Storgatan 12, 441 30 Alingsås",
# "Stora torget 1 B", "Box 2141\n403 13 Göteborg". A street's words after the first are
# capitalised or end as street names do, so "bor på Storgatan 12" does not take "bor på".
_UPPER = "A-ZÅÄÖÉÜ"
_LETTER = r"[^\W\d_]"
_STREET_END = (
    r"(?:gatan|gata|vägen|väg|torget|torg|gränd|gränden|backe|backen|allé|allén|plan|stig"
    r"|stigen|leden|platsen|plats|parken|gården|stråket|kajen)"
)
_STREET_WORD = rf"(?:[{_UPPER}]{_LETTER}+\.?|{_LETTER}*{_STREET_END})"
_TOWN = rf"[{_UPPER}]{_LETTER}+(?:[ \-][{_UPPER}]{_LETTER}+)?"
_ADDRESS = re.compile(
    rf"(?:[{_UPPER}]{_LETTER}+\.?(?:[ \-]{_STREET_WORD}){{0,3}}"
    rf" \d{{1,4}}(?: ?[A-Za-z]\b)?(?: ?(?:lgh|lägenhet) ?\d{{1,5}})?|Box \d{{1,6}})"
    rf"(?:,[ \t]*|[ \t]*\n[ \t]*|[ \t]+)"
    rf"(?:SE-?)?[1-9]\d{{2}} ?\d{{2}}[ \t]+{_TOWN}"
)


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int


def identity_number(value: str) -> tuple[str, str] | None:
    """(kind, the number as 12 digits) if `value` is a valid personnummer or
    samordningsnummer in any of its forms, else None."""
    compact = re.sub(r"[\s\u2010\u2011\u2013]", "-", value.strip())
    compact = re.sub(r"-+", "-", compact).replace("-+", "+").replace("+-", "+")
    try:
        number = personnummer.parse(compact)
    except personnummer.PersonnummerException:
        return None
    kind = SAMORDNINGSNUMMER if number.is_coordination_number() else PERSONNUMMER
    return kind, number.format(long_format=True)


def _identities(text: str) -> list[Span]:
    found = []
    for m in _IDENTITY.finditer(text):
        sep = (m["sep"] or "").strip()
        if m["sep"] == " " and m["century"]:
            continue  # "20 190123 4567": too loose a shape to be written for a person
        candidate = f"{m['century'] or ''}{m['date']}{'+' if sep == '+' else '-'}{m['number']}"
        checked = identity_number(candidate)
        if checked is None:
            continue
        bare_mobile = not sep and not m["century"] and m["date"].startswith("07")
        if bare_mobile and _PHONE_WORDS.search(text[max(0, m.start() - 30) : m.start()]):
            continue
        found.append(Span(checked[0], m.start(), m.end()))
    return found


def _phones(text: str) -> list[Span]:
    if not _DIGIT.search(text):
        return []  # the matcher's candidates are runs of digits (\d, as here)
    matcher = phonenumbers.PhoneNumberMatcher(text, "SE", leniency=phonenumbers.Leniency.VALID)
    return [Span(PHONE, m.start, m.end) for m in matcher]


def _pattern(kind: str, pattern: re.Pattern[str], text: str) -> list[Span]:
    return [Span(kind, m.start(), m.end()) for m in pattern.finditer(text)]


# In the order they claim text: a span overlapping one an earlier finder claimed is dropped.
_FINDERS: tuple[tuple[frozenset[str], Callable[[str], list[Span]]], ...] = (
    (IDENTITY_KINDS, _identities),
    (frozenset({EMAIL}), partial(_pattern, EMAIL, _EMAIL)),
    (frozenset({ADDRESS}), partial(_pattern, ADDRESS, _ADDRESS)),
    (frozenset({PHONE}), _phones),
)


def find(text: str, kinds: Collection[str] = KINDS) -> list[Span]:
    """Every piece of personal data of `kinds` in `text`, in text order, none overlapping.

    A value of another kind that an earlier finder claims still keeps its place (an e-mail
    address is no postal address), so the finders before the last kind asked for all run; the
    later ones cannot change what is found and are left out. Masking (identity numbers only,
    unless settings.yaml says more) thus runs no phone matcher, the costliest finder by far.
    """
    last = max((n for n, (covers, _) in enumerate(_FINDERS) if covers & set(kinds)), default=-1)
    taken: list[Span] = []
    for _, finder in _FINDERS[: last + 1]:
        for span in finder(text):
            if not any(span.start < t.end and t.start < span.end for t in taken):
                taken.append(span)
    return sorted((s for s in taken if s.kind in kinds), key=lambda s: s.start)
