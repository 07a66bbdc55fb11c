"""Personal data and secrecy through the commands: nothing leaks by default, marks are kept."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from archive import Archive
from cli.main import cli
from tests.privacy_helpers import Planted


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture()
def planted(archive_dir: Path, shared_dir: Path, tmp_path: Path) -> Planted:
    test = Planted(archive_dir, shared_dir, tmp_path)
    result = run("ingest", str(test.sources), "--json", "--jobs", "1")
    assert result.exit_code == 0, result.output
    test.assert_hidden(result.output, "ingest --json")
    return test


def ids(archive: Path) -> dict[str, str]:
    return {d.source: d.id for d in Archive(archive).documents()}


def test_no_output_shows_a_planted_number(planted: Planted) -> None:
    docs = ids(planted.root)
    archive = Archive(planted.root)
    for source, doc_id in docs.items():
        record = archive.get(doc_id)
        assert {d["kind"] for d in record.personal_data} <= {"personnummer", "samordningsnummer"}
        assert len([d for d in record.personal_data if d["kind"] != "adress"]) == 5, source
        for args in (
            ["show", doc_id],
            ["show", doc_id, "--text"],
            ["show", doc_id, "--json"],
            ["show", doc_id, "--json", "--text"],
        ):
            result = run(*args)
            assert result.exit_code == 0, result.output
            planted.assert_hidden(result.output, " ".join(args))
        text = run("show", doc_id, "--text").output
        assert "[personnummer]" in text
        unmasked = run("show", doc_id, "--text", "--unmasked").output
        assert all(number in unmasked for number in planted.files[source])
    for args in (["list"], ["list", "--json"], ["stats", "--json"], ["privacy", "scan", "--json"]):
        result = run(*args)
        assert result.exit_code == 0, result.output
        planted.assert_hidden(result.output, " ".join(args))
    report = json.loads(run("privacy", "scan", "--json").output)
    assert report["kinds"]["personnummer"] + report["kinds"]["samordningsnummer"] == 30
    assert len(report["most"]) == 6


def test_the_key_of_the_tokens_is_private(planted: Planted) -> None:
    run("reindex")
    key = planted.root / "privacy.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(bytes.fromhex(key.read_text())) == 32


def test_marks_are_recorded_shown_and_kept(planted: Planted) -> None:
    doc_id = ids(planted.root)["uppfoljning-2.txt"]
    result = run("mark", doc_id, "--sekretess", "OSL 26:1", "--until", "2045-01-01", "--by", "Eva")
    assert result.exit_code == 0, result.output
    assert "OSL 26:1, hela dokumentet, till 2045-01-01" in result.output
    mark = Archive(planted.root).get(doc_id).secrecy
    assert [(m["ground"], m["pages"], m["until"], m["by"]) for m in mark] == [
        ("OSL 26:1", None, "2045-01-01", "Eva")
    ]
    assert mark[0]["at"].endswith("Z")
    assert "sekretess        OSL 26:1" in run("show", doc_id).output
    assert "[sekretess]" in [line for line in run("list").output.splitlines() if doc_id in line][0]
    text = run("show", doc_id, "--text").output
    assert "[sekretess enligt OSL 26:1: sidan visas inte]" in text
    assert "Sökande" not in text
    assert "Sökande" in run("show", doc_id, "--text", "--unmasked").output
    listed = json.loads(run("list", "--json").output)
    assert [d["secrecy"][0]["ground"] for d in listed if d["id"] == doc_id] == ["OSL 26:1"]
    run("reindex")
    assert Archive(planted.root).get(doc_id).secrecy == mark
    assert run("mark", doc_id, "--remove").exit_code == 0
    assert Archive(planted.root).get(doc_id).secrecy == []


def test_a_mark_at_ingest_and_bad_marks(archive_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "beslut.txt"
    source.write_text("Beslut om bistånd.\n\nUtredningen visar behov.", "utf-8")
    result = run("ingest", str(source), "--set", "secrecy=OSL 26:1", "--set", "secrecy_pages=1")
    assert result.exit_code == 0, result.output
    doc = next(Archive(archive_dir).documents())
    assert [(m["ground"], m["pages"]) for m in doc.secrecy] == [("OSL 26:1", [1])]
    assert doc.manual == []
    bad = run("mark", doc.id, "--sekretess", "OSL 26:1", "--pages", "3-4")
    assert bad.exit_code == 1
    assert bad.output.strip() == "diarium: dokumentet har 1 sidor, inte 4"
    bad = run("mark", doc.id, "--sekretess", "OSL 26:1", "--until", "2045-13-01")
    assert bad.exit_code == 1 and "ÅÅÅÅ-MM-DD" in bad.output
    bad = run("ingest", str(source), "--set", "secrecy_pages=x")
    assert bad.exit_code == 1 and "secrecy_pages" in bad.output and "Traceback" not in bad.output


def test_scan_fills_an_archive_stored_before_detection(planted: Planted) -> None:
    archive = Archive(planted.root)
    before = {doc.id: doc.personal_data for doc in archive.documents()}
    for doc_id in before:
        archive.update_record(doc_id, lambda record: record.pop("personal_data"))
    assert all(doc.personal_data == [] for doc in archive.documents())
    result = run("privacy", "scan")
    assert result.exit_code == 0, result.output
    assert "6 dokument genomsökta, 6 ändrade" in result.output
    assert "Flest personuppgifter:" in result.output
    assert {doc.id: doc.personal_data for doc in archive.documents()} == before
    again = json.loads(run("privacy", "scan", "--json").output)
    assert again["changed"] == 0 and again["documents"] == 6
    # and the index, following the journal of those changes, still finds them
    number = planted.files["uppfoljning-3.txt"][0]
    found = json.loads(run("search", "--personal", number, "--json").output)
    assert [hit["id"] for hit in found["hits"]] == [ids(planted.root)["uppfoljning-3.txt"]]
