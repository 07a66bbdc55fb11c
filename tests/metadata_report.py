"""Per-field accuracy of metadata rules on ../shared/labelled: `python -m tests.metadata_report`.

The labels say what a careful registrar would record (README.md and LABEL_NOTES.tsv there); they
are compared as that README says: case and diacritics folded, white space normalised, a title
matching when most of its words are there. A null label is right only when the rules give null
too: a value that is not in the text must never be invented.

    python -m tests.metadata_report                 # every field's score and every miss
    python -m tests.metadata_report --half even     # only every other document (held-out check)
    python -m tests.metadata_report --json
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.extract import extract
from archive.metadata import profiles as profiles_module
from archive.metadata.profiles import Profiles
from archive.metadata.reading import read_metadata

LABELLED = Path(__file__).resolve().parents[2] / "shared" / "labelled"
FIELDS = ("kind", "date", "case_number", "board", "municipality", "title")
TITLE_SHARE = 0.6  # "most of its words": this share of the label's words must be in ours


@dataclass
class Miss:
    document: str
    field: str
    want: str | None
    got: str | None


def fold(value: str | None) -> str:
    """Case and diacritics off, white space normalised, dashes alike."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKD", value.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[‐-―]", "-", text)
    return " ".join(text.split())


def _words(value: str) -> list[str]:
    # "2020-06-09" and "Barn-" are one word each, as a reader counts them.
    return re.findall(r"\w[\w-]*\w|\w", fold(value))


def same(field: str, want: str | None, got: str | None, profiles: Profiles) -> bool:
    if want is None or got is None:
        return want is None and got is None
    if field == "municipality":
        return fold(profiles.canonical(want)) == fold(profiles.canonical(got))
    if field == "title":
        wanted, ours = _words(want), set(_words(got))
        found = sum(1 for w in wanted if w in ours)
        # A line of hundreds of words holds every word of the title; it is not the title.
        not_bloated = len(ours) <= 2 * len(set(wanted)) + 4
        return bool(wanted) and found >= TITLE_SHARE * len(wanted) and not_bloated
    return fold(want) == fold(got)


def read(path: Path, profiles: Profiles) -> dict[str, Any]:
    metadata = read_metadata(extract(path), profiles=profiles).to_dict()
    return {f: metadata.get(f) for f in FIELDS}


def evaluate(
    root: Path = LABELLED, *, names: Iterable[str] | None = None
) -> tuple[dict[str, tuple[int, int]], list[Miss]]:
    """({field: (right, total)}, misses) over the labelled documents (or the named ones)."""
    labels: dict[str, dict[str, Any]] = json.loads((root / "labels.json").read_text("utf-8"))
    files = {p.name: p for p in (root / "docs").rglob("*.txt")}
    profiles = profiles_module.load()
    chosen = sorted(labels) if names is None else sorted(names)
    scores = {f: [0, 0] for f in FIELDS}
    misses: list[Miss] = []
    for name in chosen:
        got = read(files[name], profiles)
        for field in FIELDS:
            want = labels[name].get(field)
            scores[field][1] += 1
            if same(field, want, got[field], profiles):
                scores[field][0] += 1
            else:
                misses.append(Miss(name, field, want, got[field]))
    return {f: (r, t) for f, (r, t) in scores.items()}, misses


def halves(root: Path = LABELLED) -> dict[str, list[str]]:
    """Two halves for a held-out check: every other document in name order."""
    names = sorted(json.loads((root / "labels.json").read_text("utf-8")))
    return {"even": names[0::2], "odd": names[1::2]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=LABELLED)
    parser.add_argument("--half", choices=("even", "odd"), help="only one half of the documents")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (args.root / "labels.json").is_file():
        print(f"{args.root}/labels.json finns inte", file=sys.stderr)
        return 2
    names = halves(args.root)[args.half] if args.half else None
    scores, misses = evaluate(args.root, names=names)
    if args.json:
        out = {
            "scores": {f: {"right": r, "total": t} for f, (r, t) in scores.items()},
            "misses": [m.__dict__ for m in misses],
        }
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    for miss in misses:
        print(f"MISS {miss.field:<12} {miss.document}")
        print(f"     want {miss.want!r}\n     got  {miss.got!r}")
    print()
    for field, (right, total) in scores.items():
        print(f"{field:<13} {right:>3}/{total:<3} {100 * right / total:5.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
