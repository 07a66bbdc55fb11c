"""Which error is which: only files the engine cannot read are a damaged index; a bug of
diarium's own is an internal error (traceback in the log file and with --debug); an error of
the operating system is one line naming the path; a reader that stops reading the output is
no error at all."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import Archive
from cli.main import cli
from indexer import IndexUnavailable, highlight
from indexer.archive_sync import index_of

# The contract suite: every test here runs on each search engine (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("search_engine")

LETTER = "Yttrande om skyfallshantering\n\nNämnden lämnar yttrande om skyfallshantering.\n"


@pytest.fixture()
def archive(tmp_path: Path) -> Archive:
    archive = Archive(tmp_path / "archive")
    letter = tmp_path / "yttrande.txt"
    letter.write_text(LETTER, encoding="utf-8")
    archive.ingest([letter], jobs=1)
    assert index_of(archive).search("skyfallshantering").total == 1
    return archive


def _a_bug(*_args: object, **_kwargs: object) -> None:
    raise ValueError("a bug in the snippet code")  # a ValueError, as damage often is too


def test_a_bug_of_our_own_is_not_reported_as_damage(
    archive: Archive, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(highlight, "make_snippet", _a_bug)
    with pytest.raises(ValueError, match="a bug in the snippet code"):
        index_of(archive).search("skyfallshantering")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    runner = CliRunner()
    result = runner.invoke(cli, ["--archive", str(archive.root), "search", "skyfallshantering"])
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith("diarium: internt fel (ValueError: a bug in the snippet code)")
    assert "reindex" not in line and "damaged" not in line and "--debug" in line
    (log,) = (tmp_path / "state").rglob("diarium.log")
    assert str(log) in line
    assert "Traceback" in log.read_text("utf-8") and "_a_bug" in log.read_text("utf-8")
    debug = runner.invoke(
        cli, ["--debug", "--archive", str(archive.root), "search", "skyfallshantering"]
    )
    assert debug.exit_code == 1 and "Traceback" in debug.output and "_a_bug" in debug.output


def test_files_the_engine_cannot_read_are_damage(archive: Archive) -> None:
    from tests.indexer_helpers import damage

    index = index_of(archive)
    generation = index.path / (index.path / "CURRENT").read_text()
    engine = index.engine()
    index.close()
    damage(generation, engine, "toc")
    with pytest.raises(IndexUnavailable, match="skadat.*diarium reindex"):
        index_of(archive).search("skyfallshantering")


def test_an_error_of_the_system_is_one_line_naming_the_path(archive: Archive) -> None:
    shutil.rmtree(archive.index_dir)
    archive.index_dir.write_text("a file where the index folder belongs", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--archive", str(archive.root), "search", "skyfall"])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and str(archive.index_dir) in lines[0], result.output
    assert "Traceback" not in result.output and "internt fel" not in lines[0]


def test_a_reader_that_stops_reading_is_no_error(archive: Archive) -> None:
    """`diarium list | head`: the reader has left before diarium writes (its end of the pipe
    closed first), and diarium stops without a word, as Unix tools do."""
    for command in (["list"], ["list", "--json"], ["stats"]):
        read, write = os.pipe()
        os.close(read)
        try:
            run = subprocess.run(
                [sys.executable, "-m", "cli", "--archive", str(archive.root), *command],
                stdout=write,
                stderr=subprocess.PIPE,
                text=True,
            )
        finally:
            os.close(write)
        assert (run.returncode, run.stderr) == (1, ""), command
