"""Catalogue benchmark: `list` and `stats` from the SQLite catalogue against reading every record.

    python -m tests.benchmarks.bench_catalogue [--records 1000000] [--files 20000]

Two archives of synthetic records (25 municipalities, 6 kinds, 2000-2025, a flag on one in
twenty, OCR on one in ten):

- `--files` records written as real record.json files in the archive's layout: today's way
  (every record.json opened and parsed, as `list` and `stats` did before the catalogue) is timed
  on it, and the catalogue is built from the files (Catalogue.rebuild) and timed too;
- `--records` records put into a catalogue through the same insert the rebuild uses (a million
  record files would only time the file system): `stats`, filtered `list`, the first rows of
  `list` and the whole `list` are timed on it, through the Python API and as `diarium`
  processes (a process's time includes starting Python and importing diarium).

Today's way at `--records` is extrapolated linearly from its measured time at `--files` (it
reads each record once, so it grows linearly); the report says so. Targets at 1,000,000
records: `stats`, a filtered `list` and the first screen of `list` under a second.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archive import Archive, Document, Filters
from archive.catalogue import _SCHEMA, CATALOGUE_VERSION, _insert

REPO = Path(__file__).resolve().parents[2]
SEED = 20241201
KINDS = ["yttrande", "tjänsteskrivelse", "protokoll", "protokollsutdrag", "annat", "rapport"]
TOWNS = [f"Kommun {n}" for n in range(25)]


def synthetic(n: int, rng: random.Random) -> Document:
    year = rng.randint(2000, 2025)
    dated = rng.random() < 0.8
    return Document(
        id=f"{rng.getrandbits(64):016x}",
        sha256=f"{rng.getrandbits(256):064x}",
        source=f"dokument-{n}.pdf",
        format="pdf",
        kind=rng.choice(KINDS),
        title=f"Handling nummer {n}",
        date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if dated else None,
        year=year,
        case_number=f"KS-{year}-{n % 1000:05d}",
        municipality=rng.choice(TOWNS),
        pages=rng.randint(1, 40),
        added_at="2026-12-01T00:00:00Z",
        flags=["ingen-textrad"] if rng.random() < 0.05 else [],
        size=rng.randint(10_000, 2_000_000),
        board=rng.choice(["Kommunstyrelsen", "Socialnämnden", "Byggnadsnämnden"]),
        ocr=(
            {"pages": [{"page": 1, "confidence": rng.uniform(40, 95), "uncertain": False}]}
            if rng.random() < 0.1
            else None
        ),
    )


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    out = action()
    return time.perf_counter() - started, out


def _command(root: Path, *args: str) -> tuple[float, float, int]:
    """A `diarium` process: seconds to its first line of output, to its end, and its lines."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "--archive", str(root), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    proc.stdout.readline()
    first = time.perf_counter() - started
    lines = 1 + sum(1 for _ in proc.stdout)
    assert proc.wait() == 0, args
    return first, time.perf_counter() - started, lines


def files_archive(root: Path, count: int) -> Archive:
    archive = Archive(root)
    rng = random.Random(SEED)
    for n in range(count):
        doc = synthetic(n, rng)
        folder = archive.documents_dir / doc.id[:2] / doc.id
        folder.mkdir(parents=True)
        (folder / "record.json").write_text(json.dumps(doc.to_dict(), ensure_ascii=False))
    return archive


def todays_way(archive: Archive) -> dict[str, int]:
    """What `stats` did before the catalogue: read every record."""
    kinds: dict[str, int] = {}
    for doc in archive.documents():
        kinds[doc.kind] = kinds.get(doc.kind, 0) + 1
    return kinds


def catalogue_archive(root: Path, count: int) -> Archive:
    """An archive whose catalogue holds `count` records, inserted as the rebuild inserts them."""
    import sqlite3

    archive = Archive(root)
    archive.documents_dir.mkdir(parents=True)
    rng = random.Random(SEED + 1)
    db = sqlite3.connect(archive.catalogue.path, isolation_level=None)
    db.executescript(_SCHEMA)
    db.execute("BEGIN")
    batch = []
    for n in range(count):
        batch.append(synthetic(n, rng))
        if len(batch) == 10_000:
            _insert(db, batch)
            batch = []
    _insert(db, batch)
    db.execute("REPLACE INTO state VALUES ('version', ?)", (CATALOGUE_VERSION,))
    db.execute("REPLACE INTO state VALUES ('position', 0)")
    db.execute("COMMIT")
    db.close()
    return archive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=20_000)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-catalogue-"))
    try:
        archive = files_archive(base / "files", args.files)
        today_s, _ = _timed(lambda: todays_way(archive))
        rebuild_s, _ = _timed(archive.catalogue.rebuild)
        stats_small_s, _ = _timed(archive.stats)
        print(
            f"{args.files} record files: today's way (read every record.json) {today_s:.2f} s; "
            f"catalogue built from them {rebuild_s:.2f} s; stats from it {stats_small_s:.3f} s"
        )
        big = catalogue_archive(base / "big", args.records)
        stats_s, stats = _timed(big.stats)
        assert stats["documents"] == args.records
        kind_s, rows = _timed(
            lambda: list(big.listing(Filters(kind="yttrande", years=(2021, 2021))))
        )
        town_s, _ = _timed(lambda: list(big.listing(Filters(municipalities=("kommun 7",)))))
        first_s, _ = _timed(lambda: list(big.listing(limit=100)))
        all_s, everything = _timed(lambda: list(big.listing()))
        _, stats_cmd, _ = _command(big.root, "stats", "--json")
        _, list_cmd, _ = _command(big.root, "list", "--kind", "yttrande", "--year", "2021")
        _, screen_cmd, _ = _command(big.root, "list", "--limit", "50")
        first_cmd, whole_cmd, lines = _command(big.root, "list")
        extrapolated = today_s * args.records / args.files
        size_mb = big.catalogue.path.stat().st_size / 2**20
        print(f"{args.records} catalogue records ({size_mb:.0f} MB):")
        print(
            f"  stats                            {stats_s:.3f} s  (diarium stats --json: "
            f"{stats_cmd:.2f} s)"
        )
        print(
            f"  list --kind yttrande --year 2021 {kind_s:.3f} s for {len(rows)} rows "
            f"(diarium list ...: {list_cmd:.2f} s)"
        )
        print(f"  list -m 'kommun 7'               {town_s:.3f} s")
        print(
            f"  list --limit 100                 {first_s:.3f} s  "
            f"(diarium list --limit 50: {screen_cmd:.2f} s)"
        )
        print(
            f"  list (all {len(everything)} rows)       {all_s:.3f} s  (diarium list: first "
            f"line after {first_cmd:.2f} s, all {lines} lines after {whole_cmd:.1f} s)"
        )
        print(
            f"  today's way at {args.records}: {extrapolated:.0f} s for any of these "
            f"(extrapolated linearly from {args.files} measured record files)"
        )
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
