"""The archive as the source of truth: contract, idempotence, hand-set values, atomicity."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import Archive, NotFound
from archive.overrides import OverrideError, parse_assignments
from cli.main import cli

SHOW_KEYS = {
    "id",
    "sha256",
    "source",
    "format",
    "kind",
    "title",
    "date",
    "year",
    "case_number",
    "municipality",
    "board",
    "department",
    "officers",
    "pages",
    "sections",
    "tables",
    "added_at",
}

TJANSTESKRIVELSE = """\
Arbetsmarknadsförvaltningen
Tjänsteskrivelse till arbetsmarknadsnämnden

Datum:
2023-06-09

Diarienummer:
AMN-2023-00096

Handläggare:
Emma Wallin

Verksamhetsuppföljning ekonomiskt bistånd per maj 2023

Förslag till beslut

Arbetsmarknadsnämnden beslutar att lägga informationen till handlingarna.

Ärendet

Nämnden följer upp ekonomiskt bistånd varje månad.
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "uppfoljning.txt"
    path.parent.mkdir()
    path.write_text(TJANSTESKRIVELSE, encoding="utf-8")
    return path


def test_ingest_then_show_json_keeps_the_contract(archive_dir: Path, sample: Path) -> None:
    code, out, _ = run("ingest", str(sample), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["failed"] == [] and report["unchanged"] == []
    (added,) = report["added"]
    assert added["source"] == "uppfoljning.txt"

    code, out, _ = run("show", added["id"][:6], "--json")
    assert code == 0
    record = json.loads(out)
    assert set(record) >= SHOW_KEYS
    assert record["sha256"] == hashlib.sha256(sample.read_bytes()).hexdigest()
    assert record["date"] == "2023-06-09" and record["year"] == 2023
    assert record["case_number"] == "AMN-2023-00096"
    assert record["kind"] == "tjänsteskrivelse"
    assert record["officers"] == ["Emma Wallin"]
    assert "Förslag till beslut" in [s["heading"] for s in record["sections"]]

    archive = Archive(archive_dir)
    assert archive.original(added["id"]).read_bytes() == sample.read_bytes()
    assert "informationen till handlingarna" in archive.text(added["id"])


def test_same_bytes_twice_is_unchanged(archive_dir: Path, sample: Path, tmp_path: Path) -> None:
    copy = tmp_path / "kopia.txt"
    copy.write_bytes(sample.read_bytes())
    first = Archive(archive_dir).ingest([sample])
    second = Archive(archive_dir).ingest([copy, sample])
    assert len(first.added) == 1
    assert second.added == [] and len(second.unchanged) == 2
    assert {d.id for d in second.unchanged} == {first.added[0].id}
    assert len(Archive(archive_dir)) == 1


def test_hand_set_values_win_and_sidecar_beats_set(archive_dir: Path, sample: Path) -> None:
    sample.with_name("uppfoljning.meta.yaml").write_text(
        "board: Arbetsmarknadsnämnden\ndate: 2023-06-12\n", encoding="utf-8"
    )
    code, out, _ = run(
        "ingest", str(sample.parent), "--json", "-m", "Uppsala", "--set", "date=2020-01-01"
    )
    assert code == 0
    (added,) = json.loads(out)["added"]  # the sidecar itself is not taken in as a document
    doc = Archive(archive_dir).get(added["id"])
    assert doc.date == "2023-06-12" and doc.year == 2023
    assert doc.board == "Arbetsmarknadsnämnden"
    assert doc.municipality == "Uppsala"
    assert {"date", "board", "municipality"} <= set(doc.manual)


@pytest.mark.parametrize(
    ("assignment", "reason"),
    [
        ("date=2021-13-01", "ÅÅÅÅ-MM-DD"),
        ("colour=blue", "okänd nyckel"),
        ("kind=roman", "okänd dokumenttyp"),
        ("novalue", "NYCKEL=VÄRDE"),
    ],
)
def test_bad_hand_set_values_are_refused(assignment: str, reason: str) -> None:
    with pytest.raises(OverrideError, match=reason):
        parse_assignments([assignment])


def test_bad_set_on_the_command_line_is_one_line(archive_dir: Path, sample: Path) -> None:
    code, _, err = run("ingest", str(sample), "--set", "date=igår")
    assert code == 1
    assert "datum skrivs ÅÅÅÅ-MM-DD" in err and "Traceback" not in err


def test_remove_and_unknown_ids(archive_dir: Path, sample: Path) -> None:
    archive = Archive(archive_dir)
    (doc,) = archive.ingest([sample]).added
    with pytest.raises(NotFound):
        archive.get("ffff0000")
    with pytest.raises(NotFound, match="hexadecimala"):
        archive.get("xyz")
    code, out, _ = run("remove", doc.id, "--yes")
    assert code == 0 and doc.id in out
    assert len(archive) == 0
    code, _, err = run("show", doc.id)
    assert code == 1 and "inget dokument" in err


def test_list_and_stats(archive_dir: Path, sample: Path, tmp_path: Path) -> None:
    other = tmp_path / "annat.md"
    other.write_text("# Riktlinje för kost\n\nText om måltider.\n", encoding="utf-8")
    Archive(archive_dir).ingest([sample, other], jobs=2)
    code, out, _ = run("list", "--json")
    assert code == 0
    listed = json.loads(out)
    assert {d["source"] for d in listed} == {"uppfoljning.txt", "annat.md"}
    code, out, _ = run("list", "--kind", "tjänsteskrivelse", "--json")
    assert [d["source"] for d in json.loads(out)] == ["uppfoljning.txt"]
    code, out, _ = run("stats", "--json")
    stats = json.loads(out)
    assert stats["documents"] == 2
    assert stats["format"] == {"txt": 1, "md": 1}


def test_missing_paths_are_named_and_the_batch_goes_on(archive_dir: Path, sample: Path) -> None:
    code, out, err = run("ingest", "finns-inte.pdf", str(sample))
    assert code == 1
    assert "finns-inte.pdf: ingen sådan fil eller mapp" in err
    assert "tillagd" in out and "1 tillagda, 0 oförändrade, 1 misslyckade" in err


def test_usage_error_exits_2(archive_dir: Path) -> None:
    code, _, _ = run("ingest")
    assert code == 2


def test_archive_option_beats_the_environment(
    archive_dir: Path, sample: Path, tmp_path: Path
) -> None:
    other = tmp_path / "annat-arkiv"
    code, _, _ = run("--archive", str(other), "ingest", str(sample))
    assert code == 0
    assert len(Archive(other)) == 1 and not Archive(archive_dir).exists()
    code, out, _ = run("list", "--archive", str(other), "--json")
    assert [d["source"] for d in json.loads(out)] == ["uppfoljning.txt"]


def test_update_record_and_write_file_replace_in_place(archive_dir: Path, sample: Path) -> None:
    archive = Archive(archive_dir)
    doc = archive.ingest([sample], jobs=1).added[0]
    folder = archive.original(doc.id).parent
    original = archive.original(doc.id).read_bytes()

    changed = archive.update_record(doc.id, lambda record: record.update(board="Socialnämnden"))

    assert changed.board == "Socialnämnden"
    assert archive.get(doc.id).board == "Socialnämnden"
    assert json.loads((folder / "record.json").read_text("utf-8"))["title"] == doc.title
    archive.write_file(doc.id, "extra.txt", b"beside")
    assert (folder / "extra.txt").read_bytes() == b"beside"
    assert sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp")) == []
    with pytest.raises(Exception, match="original"):
        archive.write_file(doc.id, "original.txt", b"replaced")
    assert archive.original(doc.id).read_bytes() == original
