"""The archive's journal and the index following it: whoever changes the archive, through
whatever door, the next search sees it, and a kill at any moment loses nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from archive import Archive
from archive.journal import Journal
from indexer.archive_sync import index_of
from indexer.index import CURRENT, POSITION_FILE

# The contract suite: every test here runs on each search engine (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("search_engine")

LETTER = """Yttrande om {topic}

Socialnämnden har tagit del av remissen om {topic} och lämnar följande yttrande.
Nämnden ser positivt på att kommunen planerar för {topic} i samråd med förvaltningen.
"""


def _letter(folder: Path, name: str, topic: str) -> Path:
    path = folder / f"{name}.txt"
    path.write_text(LETTER.format(topic=topic), encoding="utf-8")
    return path


def _ids(archive: Archive, query: str) -> set[str]:
    with index_of(archive) as index:
        return {hit.id for hit in index.search(query, limit=100).hits}


def test_documents_stored_through_the_python_api_alone_are_found(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    first = archive.ingest([_letter(tmp_path, "a", "skyfallshantering")], jobs=1).added[0]
    assert _ids(archive, "skyfallshantering") == {first.id}  # the first search builds the index
    second = archive.ingest([_letter(tmp_path, "b", "dagvattenhantering")], jobs=1).added[0]
    assert _ids(archive, "dagvattenhantering") == {second.id}  # and later ones follow
    archive.update_record(second.id, lambda record: record.update(title="Yttrande om älgjakt"))
    assert _ids(archive, "älgjakt") == {second.id}
    archive.remove(first.id)
    assert _ids(archive, "skyfallshantering") == set()
    position = archive.index_dir / (archive.index_dir / CURRENT).read_text() / POSITION_FILE
    assert int(position.read_text()) == archive.journal.end()


def test_the_journal_names_every_change_in_order(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    doc = archive.ingest([_letter(tmp_path, "a", "skyfallshantering")], jobs=1).added[0]
    archive.update_record(doc.id, lambda record: record.update(board="Kommunstyrelsen"))
    text = json.dumps({"pages": [{"number": 1, "text": "Yttrande om dagvatten"}]}).encode()
    archive.write_file(doc.id, "text.json", text)
    archive.remove(doc.id)
    entries, end = archive.journal.read()
    assert [(e.op, e.id, e.file) for e in entries] == [
        ("stored", doc.id, None),
        ("changed", doc.id, "record.json"),
        ("changed", doc.id, "text.json"),
        ("removed", doc.id, None),
    ]
    assert end == archive.journal.end()
    later, at = archive.journal.read(end)
    assert later == [] and at == end


def test_a_line_cut_short_by_a_kill_is_skipped_and_not_glued_to_the_next(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    with journal.recording("stored", "aaaa"):
        pass
    with open(journal.path, "ab") as fh:
        fh.write(b'{"op": "stored", "id": "bb')  # a writer killed in the middle of its line
    assert [e.id for e in journal.read()[0]] == ["aaaa"]
    with journal.recording("removed", "cccc"):
        pass
    assert [e.id for e in journal.read()[0]] == ["aaaa", "cccc"]


# A real process ingesting one file through the Python API and killed (SIGKILL, no clean-up)
# at one moment: os.rename is wrapped so the kill lands right before or right after the
# archive's rename of the finished document into place; index.write_position so that it lands
# in the middle of the index's catch-up, after the engine's commit and before the position.
_KILLED = """
import os, signal, sys
from archive import Archive
import indexer.index
from indexer.archive_sync import index_of


moment, root, path = sys.argv[1:]
real_rename = os.rename

def rename(src, dst):
    if moment == "before-rename" and "documents" in str(dst):
        os.kill(os.getpid(), signal.SIGKILL)
    real_rename(src, dst)
    if moment == "after-rename" and "documents" in str(dst):
        os.kill(os.getpid(), signal.SIGKILL)

def write_position(folder, position):
    os.kill(os.getpid(), signal.SIGKILL)

os.rename = rename
indexer.index._write_position = write_position
archive = Archive(root)
archive.ingest([path], jobs=1)
index_of(archive).search("nämnd")  # catches up the index with what was stored
"""


@pytest.mark.parametrize("moment", ["before-rename", "after-rename", "index-catch-up"])
def test_a_kill_between_the_archive_and_the_index_loses_nothing(
    tmp_path: Path, moment: str
) -> None:
    archive = Archive(tmp_path / "archive")
    archive.ingest([_letter(tmp_path, "a", "dagvattenhantering")], jobs=1)
    assert _ids(archive, "dagvattenhantering")  # an index exists and is up to date
    new = _letter(tmp_path, "b", "skyfallshantering")
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_KILLED), moment, str(archive.root), str(new)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert child.returncode == -9, child.stderr
    entries, _ = archive.journal.read()
    assert len(entries) == 2  # the second entry was written before the change it names
    stored = list(archive.ids())
    if moment == "before-rename":
        assert len(stored) == 1 and _ids(archive, "skyfallshantering") == set()
        archive.ingest([new], jobs=1)  # running the batch again finishes it
    else:
        assert len(stored) == 2
    (doc_id,) = set(archive.ids()) - {e.id for e in entries[:1]}
    assert _ids(archive, "skyfallshantering") == {doc_id}
    assert _ids(archive, "dagvattenhantering") == {entries[0].id}
