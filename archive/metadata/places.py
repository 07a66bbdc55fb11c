"""The municipality, from explicit text only: "<Name>s kommun", "Göteborgs Stad", "i Uppsala".

Every mention is weighed: a name in the letterhead, a page header or footer counts most, the
"<name> kommun"/"<name> stad" form in the text less, "i <name>" least; "Region <name>" is a
region, not a municipality, and does not count. A municipality is only named when one clearly
leads, so a page listing fifty municipalities names none.
"""

from __future__ import annotations

import re
from collections import Counter

from archive.metadata.front import after_labels, front_text
from archive.metadata.lines import Doc
from archive.metadata.profiles import Profiles

LETTERHEAD_WEIGHT = 5
STRONG_WEIGHT = 2
WEAK_WEIGHT = 1
MIN_SCORE = 2
LEAD_FACTOR = 2  # the leader must score at least this many times the runner-up


_WEB = re.compile(r"\bwww\.\s?(?P<domain>[a-z-]+)\.se\b", re.I)


# Where a place's value ends in a front page run together: the time, the next label.
_PLACE_END = re.compile(
    r"\b(?:kl\b|klockan|beslutande|ledamöter|närvarande|övriga|utses|justerare|paragrafer|"
    r"sekreterare|underskrift|dag och tid|tid\b)",
    re.I,
)


def _domain(name: str) -> str:
    table = str.maketrans("åäöéü", "aaoeu")
    return name.casefold().translate(table).replace(" ", "")


class PlaceFinder:
    """Compiled once per Profiles: one alternation over all municipality names is fast."""

    def __init__(self, profiles: Profiles) -> None:
        self._profiles = profiles
        forms = profiles.name_forms()
        self._canonical: dict[str, str] = {}
        variants: set[str] = set()
        for form, name in forms.items():
            for variant in (form, form.upper()):
                variants.add(variant)
                self._canonical[variant.casefold()] = name
        alternation = "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True))
        suffix = r"(?:kommun|Kommun|KOMMUN|stad|Stad|STAD)s?"
        # Aliases such as "Göteborgs Stad" already end in "Stad"; the suffix is then optional.
        self._strong = re.compile(
            rf"(?<![\w-])(?<!Region )(?<!region )(?P<name>{alternation})"
            rf"(?:[sS]?\s+{suffix})?(?![\w-])"
        )
        self._weak = re.compile(rf"(?<![\w-])i (?P<name>{alternation})(?![\w-])")
        self._aliases = {alias.casefold() for p in profiles.profiles.values() for alias in p.names}
        self._standalone = re.compile(rf"(?<![\w-])(?P<name>{alternation})(?![\w-])")
        # "www.ljungby.se": a municipality's web address, its name without å, ä, ö or spaces.
        self._domains = {_domain(name): name for name in set(forms.values())}

    def _name_of(self, matched: str) -> str:
        return self._canonical[matched.casefold()]

    def strong_mentions(self, text: str) -> list[str]:
        found = []
        for match in self._strong.finditer(text):
            whole, name = match.group(0), match.group("name")
            named_as_municipality = whole != name or name.casefold() in self._aliases
            if named_as_municipality:
                found.append(self._name_of(name))
        return found

    def weak_mentions(self, text: str) -> list[str]:
        return [
            self._name_of(m.group("name"))
            for m in self._weak.finditer(text)
            if not self._strong_at(text, m.start("name"))
        ]

    def _strong_at(self, text: str, position: int) -> bool:
        match = self._strong.match(text, position)
        return bool(match) and match.group(0) != match.group("name")

    def is_name_line(self, text: str) -> bool:
        """A line that only names a municipality: "Lekebergs kommun", "HÖGSBY KOMMUN"."""
        match = self._strong.fullmatch(text)
        return bool(match) and (
            match.group(0) != match.group("name") or text.casefold() in self._aliases
        )

    def find(self, doc: Doc) -> str | None:
        return self.find_by(doc)[0]

    def find_by(self, doc: Doc) -> tuple[str | None, str | None]:
        """The municipality and what named it most ("letterhead", "place of meeting", ...)."""
        scores: Counter[str] = Counter()
        why: dict[str, str] = {}
        letterhead = set(doc.letterhead)
        for i, line in enumerate(doc.lines):
            if not line.text:
                continue
            strong = self.strong_mentions(line.text)
            prominent = line.where != "body" or line.furniture or i in letterhead
            for name in strong:
                scores[name] += LETTERHEAD_WEIGHT if prominent else STRONG_WEIGHT
                why.setdefault(name, "letterhead" if prominent else "name in the text")
            for name in self.weak_mentions(line.text):
                scores[name] += WEAK_WEIGHT
                why.setdefault(name, "i <name> in the text")
            for match in _WEB.finditer(line.text):
                if name := self._domains.get(match.group("domain").casefold()):
                    scores[name] += LETTERHEAD_WEIGHT
                    why.setdefault(name, "web address")
        # A protocol's place of meeting or of its justering: "Plats och tid Konferensrum 105, Ale
        # Kulturrum", "Justeringens plats och tid Krokom 2020-06-16".
        labels = doc.rules.common["place_labels"]
        for match in after_labels(front_text(doc), labels, r"(?P<value>[^\n]{0,80})"):
            value = _PLACE_END.split(match.group("value"), maxsplit=1)[0]
            for place in self._standalone.finditer(value):
                name = self._name_of(place.group("name"))
                scores[name] += STRONG_WEIGHT
                why.setdefault(name, "place of meeting")
        ranked = scores.most_common(2)
        if not ranked or ranked[0][1] < MIN_SCORE:
            return None, None
        if len(ranked) == 2 and ranked[0][1] < LEAD_FACTOR * ranked[1][1]:
            return None, None
        return ranked[0][0], why[ranked[0][0]]
