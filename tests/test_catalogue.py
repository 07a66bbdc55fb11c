"""The catalogue (archive/catalogue.py): `list` and `stats` answer from SQLite, and say exactly
what reading every record.json says, whoever changed the archive and however the file is lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from archive import Archive, Filters
from archive.catalogue import CATALOGUE_FILE
from archive.document import LIST_KEYS
from cli.main import cli

TEXT = "Yttrande om {topic}\n\nSocialnämnden lämnar följande yttrande om {topic} i kommunen.\n"
FILES = [
    ("a", "skyfall", {"kind": "yttrande", "municipality": "Alingsås", "date": "2021-03-04"}),
    ("b", "dagvatten", {"kind": "yttrande", "municipality": "Uppsala", "date": "2019-05-14"}),
    ("c", "bistånd", {"kind": "tjänsteskrivelse", "municipality": "Uppsala", "year": 2021}),
    ("d", "taxa", {"kind": "protokoll"}),
]


def _archive(tmp_path: Path) -> Archive:
    archive = Archive(tmp_path / "archive")
    for name, topic, values in FILES:
        path = tmp_path / f"{name}.txt"
        path.write_text(TEXT.format(topic=topic), encoding="utf-8")
        report = archive.ingest([path], overrides=dict(values), jobs=1)
        assert report.added, report.failed
    return archive


def catalogue_stats(archive: Archive) -> dict[str, Any]:
    return {"archive": str(archive.root), **archive.catalogue.stats()}


def _read_every_record(archive: Archive) -> dict[str, Any]:
    """Today's way: every record.json read and counted."""
    docs = list(archive.documents())
    flags: Counter[str] = Counter(f for d in docs for f in d.flags)
    read = [p for d in docs for p in (d.ocr or {}).get("pages", [])]
    sure = [p["confidence"] for p in read if p.get("confidence") is not None]
    return {
        "archive": str(archive.root),
        "documents": len(docs),
        "pages": sum(d.pages for d in docs),
        "bytes": sum(d.size for d in docs),
        "kind": dict(Counter(d.kind for d in docs).most_common()),
        "municipality": dict(Counter(d.municipality or "okänd kommun" for d in docs).most_common()),
        "year": dict(sorted(Counter(str(d.year) if d.year else "okänt år" for d in docs).items())),
        "format": dict(Counter(d.format for d in docs).most_common()),
        "flags": dict(flags.most_common()),
        "damaged": [d.id for d in archive.damaged()],
        "ocr": {
            "documents": sum(1 for d in docs if (d.ocr or {}).get("pages")),
            "pages": len(read),
            "uncertain_pages": sum(1 for p in read if p.get("uncertain")),
            "mean_confidence": round(sum(sure) / len(sure), 1) if sure else None,
        },
    }


def _listed(archive: Archive, **filters: Any) -> list[str]:
    return [row["id"] for row in archive.listing(Filters(**filters))]


def test_list_and_stats_follow_every_change_made_through_the_python_api(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    assert catalogue_stats(archive) == _read_every_record(archive)
    assert len(_listed(archive)) == 4
    uppsala = _listed(archive, municipalities=("uppsala",))
    assert len(uppsala) == 2 and _listed(archive, kind="yttrande", municipalities=("UPPSALA",)) == [
        d.id for d in archive.documents() if d.kind == "yttrande" and d.municipality == "Uppsala"
    ]
    assert [archive.get(i).year for i in _listed(archive, years=(2021, 2021))] == [2021, 2021]
    first = uppsala[0]
    archive.update_record(first, lambda record: record.update(kind="protokoll"))
    archive.remove(_listed(archive, kind="tjänsteskrivelse")[0])
    assert catalogue_stats(archive) == _read_every_record(archive)
    assert catalogue_stats(archive)["kind"] == {"protokoll": 2, "yttrande": 1}
    rows = list(archive.listing())
    assert [r["date"] or str(r["year"]) for r in rows] == ["2019-05-14", "2021-03-04", "None"]
    assert list(rows[0]) == list(LIST_KEYS)


def test_a_lost_or_damaged_catalogue_is_made_anew_from_the_records(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    expected = _read_every_record(archive)
    assert catalogue_stats(archive) == expected
    (archive.root / CATALOGUE_FILE).unlink()
    assert catalogue_stats(archive) == expected
    (archive.root / CATALOGUE_FILE).write_bytes(b"this is not a database" * 100)
    assert catalogue_stats(archive) == expected
    assert archive.catalogue.rebuild() == 4 and catalogue_stats(archive) == expected


def test_list_streams_its_rows_and_says_what_its_filters_left_out(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    rows = archive.listing()
    archive.update_record(_listed(archive, kind="protokoll")[0], lambda r: r.update(kind="annat"))
    first = next(rows)  # read when consumed: the change made before the first row is in it
    assert first["date"] == "2019-05-14"
    assert list(archive.listing(limit=2)) == list(archive.listing())[:2] == [first, *rows][:2]
    assert _listed(archive, board="socialnamnden") == _listed(archive, board="Socialnämnden")
    catalogue = archive.catalogue
    # the undated protocol, now of kind "annat", has no year: both filters leave it out
    assert catalogue.left_out(Filters(kind="yttrande")) == {"kind": 1, "year": 0}
    assert catalogue.left_out(Filters(years=(2019, 2021))) == {"kind": 0, "year": 1}
    assert catalogue.left_out(Filters(kind="yttrande", years=(2020, 2030))) == {
        "kind": 0,
        "year": 0,
    }


def test_list_and_stats_read_no_record(tmp_path: Path) -> None:
    """What guards against a merge that goes back to reading every record.json: with every
    record unreadable (and the journal saying nothing changed) both still answer, as
    `diarium` processes, from the catalogue alone."""
    archive = _archive(tmp_path)
    expected = catalogue_stats(archive)
    listed = [row["id"] for row in archive.listing()]
    for record in archive.documents_dir.glob("*/*/record.json"):
        record.write_text("inte JSON", encoding="utf-8")
    env = {**os.environ, "HOME": str(tmp_path)}
    env = {k: v for k, v in env.items() if not k.startswith("DIARIUM_")}
    base = [sys.executable, "-m", "cli", "--archive", str(archive.root)]
    stats = subprocess.run([*base, "stats", "--json"], capture_output=True, env=env, check=True)
    shown = json.loads(stats.stdout)
    assert {k: v for k, v in shown.items() if k != "index"} == expected
    out = subprocess.run([*base, "list", "--json"], capture_output=True, env=env, check=True)
    assert [row["id"] for row in json.loads(out.stdout)] == listed


def test_list_prints_each_title_on_one_line_within_its_column(tmp_path: Path) -> None:
    long = "Yttrande  över remissen om   skyfallshantering, dagvatten och översvämningsrisker"
    short = "Yttrande  om   taxa"
    archive = Archive(tmp_path / "archive")
    for name, title in (("lång", long), ("kort", short)):
        path = tmp_path / f"{name}.txt"
        path.write_text(TEXT.format(topic=name), encoding="utf-8")
        assert archive.ingest([path], overrides={"title": title}, jobs=1).added
    result = CliRunner().invoke(cli, ["--archive", str(archive.root), "list"])
    assert result.exit_code == 0, result.output
    titles = [line[line.index("Yttrande") :] for line in result.stdout.splitlines()]
    assert sorted(titles) == sorted(
        ["Yttrande om taxa", "Yttrande över remissen om skyfallshantering, dagvatten och…"]
    )
    assert all(len(title) <= 60 for title in titles)
