"""The search engine is chosen per archive in settings.yaml; `diarium reindex` switches to it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from archive import Archive
from cli.main import cli

LETTERS = {
    "a": "Yttrande om skyfallshantering och dagvatten i kommunen.",
    "b": "Tjänsteskrivelse om försörjningsstöd och ekonomiskt bistånd.",
}


def _run(archive: Archive, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--archive", str(archive.root), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_reindex_switches_to_the_engine_the_settings_name(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    for name, text in LETTERS.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    archive.ingest([tmp_path / "a.txt", tmp_path / "b.txt"], jobs=1)
    before = json.loads(_run(archive, "search", "försörjningsstöd", "--json"))
    assert before["total"] == 1
    assert json.loads(_run(archive, "stats", "--json"))["index"]["engine"] == "whoosh"
    (archive.root / "settings.yaml").write_text("search_engine: tantivy\n", encoding="utf-8")
    # Until the reindex, the live Whoosh index goes on following the archive.
    (tmp_path / "c.txt").write_text("Protokoll om skyfallshantering.", encoding="utf-8")
    archive.ingest([tmp_path / "c.txt"], jobs=1)
    assert json.loads(_run(archive, "search", "skyfallshantering", "--json"))["total"] == 2
    assert json.loads(_run(archive, "stats", "--json"))["index"]["engine"] == "whoosh"
    _run(archive, "reindex")
    stats = json.loads(_run(archive, "stats", "--json"))
    assert stats["index"]["engine"] == "tantivy" and stats["index"]["bytes"] > 0
    assert "Sökindex: tantivy" in _run(archive, "stats")
    after = json.loads(_run(archive, "search", "försörjningsstöd", "--json"))
    assert [h["id"] for h in after["hits"]] == [h["id"] for h in before["hits"]]
    assert json.loads(_run(archive, "search", "skyfallshantering", "--json"))["total"] == 2
    assert len(list(archive.index_dir.glob("gen-*"))) == 1  # the Whoosh generation is gone


def test_an_unknown_engine_is_one_line(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    archive.root.mkdir()
    (archive.root / "settings.yaml").write_text("search_engine: lucene\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--archive", str(archive.root), "search", "bistånd"])
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert "search_engine" in line and "lucene" in line and "whoosh eller tantivy" in line
