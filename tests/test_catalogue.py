"""The catalogue (archive/catalogue.py): `list` and `stats` answer from SQLite, and say exactly
what reading every record.json says, whoever changed the archive and however the file is lost."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from archive import Archive
from archive.catalogue import CATALOGUE_FILE, LIST_COLUMNS

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
    }


def _listed(archive: Archive, **filters: Any) -> list[str]:
    return [row["id"] for row in archive.listing(**filters)]


def test_list_and_stats_follow_every_change_made_through_the_python_api(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    assert catalogue_stats(archive) == _read_every_record(archive)
    assert len(_listed(archive)) == 4
    uppsala = _listed(archive, municipality="uppsala")
    assert len(uppsala) == 2 and _listed(archive, kind="yttrande", municipality="UPPSALA") == [
        d.id for d in archive.documents() if d.kind == "yttrande" and d.municipality == "Uppsala"
    ]
    assert [archive.get(i).year for i in _listed(archive, year=2021)] == [2021, 2021]
    first = uppsala[0]
    archive.update_record(first, lambda record: record.update(kind="protokoll"))
    archive.remove(_listed(archive, kind="tjänsteskrivelse")[0])
    assert catalogue_stats(archive) == _read_every_record(archive)
    assert catalogue_stats(archive)["kind"] == {"protokoll": 2, "yttrande": 1}
    rows = archive.listing()
    assert [r["date"] or str(r["year"]) for r in rows] == ["2019-05-14", "2021-03-04", "None"]
    assert set(rows[0]) == set(LIST_COLUMNS) | {"size"}


def test_a_lost_or_damaged_catalogue_is_made_anew_from_the_records(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    expected = _read_every_record(archive)
    assert catalogue_stats(archive) == expected
    (archive.root / CATALOGUE_FILE).unlink()
    assert catalogue_stats(archive) == expected
    (archive.root / CATALOGUE_FILE).write_bytes(b"this is not a database" * 100)
    assert catalogue_stats(archive) == expected
    assert archive.catalogue.rebuild() == 4 and catalogue_stats(archive) == expected
