"""Removal that can be undone: `remove` asks, wants a long id, and moves to the trash."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import Archive
from archive.trash import NOTE, Trash
from cli.main import cli
from indexer.archive_sync import index_of

TEXT = """Tjänsteskrivelse
Socialförvaltningen
Datum: 2021-09-16
Diarienummer: SN 2021/112

Uppföljning av försörjningsstöd

Nämnden följer upp ekonomiskt bistånd varje månad.
"""


def run(*args: str, input: str | None = None):  # noqa: ANN201
    return CliRunner().invoke(cli, list(args), input=input)


@pytest.fixture()
def stored(archive_dir: Path, tmp_path: Path) -> str:
    path = tmp_path / "uppfoljning.txt"
    path.write_text(TEXT, encoding="utf-8")
    result = run("ingest", str(path), "--json")
    assert result.exit_code == 0, result.output
    (added,) = json.loads(result.stdout)["added"]
    return added["id"]


def _found(archive_dir: Path) -> list[str]:
    index = index_of(Archive(archive_dir))
    try:
        return [hit.id for hit in index.search("försörjningsstöd").hits]
    finally:
        index.close()


def test_a_four_character_prefix_removes_nothing(archive_dir: Path, stored: str) -> None:
    result = run("remove", stored[:4], "--yes")
    assert result.exit_code == 1
    assert "för kort" in result.stderr and "minst 8 tecken" in result.stderr
    assert len(Archive(archive_dir)) == 1


def test_remove_asks_first_and_no_is_no(archive_dir: Path, stored: str) -> None:
    result = run("remove", stored[:8], input="n\n")
    assert result.exit_code == 1 and "papperskorgen?" in result.stderr
    assert "inget togs bort" in result.stderr
    assert len(Archive(archive_dir)) == 1 and _found(archive_dir) == [stored]


def test_remove_moves_to_the_trash_with_who_when_why_and_restore_brings_it_back(
    archive_dir: Path, stored: str
) -> None:
    archive = Archive(archive_dir)
    original = archive.original(stored).read_bytes()
    result = run("remove", stored[:8], "--reason", "dubblett", input="j\n")
    assert result.exit_code == 0, result.output
    assert f"diarium restore {stored}" in result.stdout
    assert len(archive) == 0 and _found(archive_dir) == []
    note = json.loads((archive_dir / "trash" / stored / NOTE).read_text("utf-8"))
    assert note["reason"] == "dubblett" and note["by"] and note["at"].endswith("Z")
    listed = run("trash", "list", "--json")
    assert [e["id"] for e in json.loads(listed.stdout)] == [stored]
    back = run("restore", stored[:8])
    assert back.exit_code == 0, back.output
    assert archive.original(stored).read_bytes() == original
    assert _found(archive_dir) == [stored]
    assert Trash(archive).entries() == []


def test_trash_empty_deletes_only_what_is_older(archive_dir: Path, stored: str) -> None:
    run("remove", stored, "--yes")
    kept = run("trash", "empty", "--older-than", "30d", "--yes")
    assert kept.exit_code == 0 and "inget äldre än 30 dagar" in kept.stdout
    note = archive_dir / "trash" / stored / NOTE
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=31)).replace(microsecond=0)
    data = json.loads(note.read_text("utf-8")) | {"at": old.isoformat().replace("+00:00", "Z")}
    note.write_text(json.dumps(data), "utf-8")
    gone = run("trash", "empty", "--older-than", "30d", "--yes")
    assert gone.exit_code == 0 and stored in gone.stdout
    assert not (archive_dir / "trash" / stored).exists()
    assert run("restore", stored).exit_code == 1
    bad = run("trash", "empty", "--older-than", "en månad")
    assert bad.exit_code == 2 and "30d" in bad.stderr
    assert os.listdir(archive_dir / "trash") == []
