"""`diarium check`: is the archive what its records say it is?

Every original is hashed again and compared with its record's sha256 (and so its id), every
record.json and text.json is read against its schema, anything in documents/ that is not a
document folder is named, and so is a journal line that is no entry. The index side (is every
document searchable, is nothing searchable that is gone) is checked by the indexer, which knows
the index; the archive knows nothing of it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from archive import messages as msg
from archive.store import (
    Archive,
    DamagedDocument,
    is_document_id,
    read_document_json,
    record_problem,
    text_problem,
)

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong: `where` is a document id or a path inside the archive."""

    where: str
    what: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_archive(
    archive: Archive, progress: Callable[[int], None] | None = None
) -> Iterator[Problem]:
    """Every problem of the archive's documents, one document folder at a time."""
    documents = archive.documents_dir
    if not documents.is_dir():
        return
    for shard in sorted(documents.iterdir()):
        if shard.is_symlink() or not shard.is_dir():
            yield Problem(_inside(archive, shard), msg.CHECK_NOT_A_SHARD)
            continue
        for folder in sorted(shard.iterdir()):
            if folder.is_symlink() or not folder.is_dir() or not is_document_id(folder.name):
                yield Problem(_inside(archive, folder), msg.CHECK_NOT_AN_ID)
                continue
            if folder.name[:2] != shard.name:
                yield Problem(folder.name, msg.CHECK_WRONG_SHARD.format(shard=shard.name))
            yield from _check_document(folder)
            if progress:
                progress(1)


def check_journal(archive: Archive) -> Iterator[Problem]:
    """Lines of the journal that name no document id, or are not entries at all (the last
    line may be unfinished: its writer was killed, which the journal allows for)."""
    try:
        data = archive.journal.path.read_bytes()
    except FileNotFoundError:
        return
    except OSError as exc:
        yield Problem("journal", msg.CHECK_UNREADABLE.format(reason=msg.os_error(exc)))
        return
    lines = data.split(b"\n")[:-1]  # what follows the last newline is unfinished
    for number, line in enumerate(lines, 1):
        try:
            entry = json.loads(line)
            doc_id = entry["id"]
        except (ValueError, KeyError, TypeError):
            yield Problem("journal", msg.CHECK_JOURNAL_LINE.format(line=number))
            continue
        if not isinstance(doc_id, str) or not is_document_id(doc_id):
            yield Problem("journal", msg.CHECK_JOURNAL_ID.format(line=number, id=doc_id))


def _check_document(folder: Path) -> Iterator[Problem]:
    doc_id = folder.name
    record: dict[str, Any] | None = None
    try:
        data = read_document_json(folder / "record.json", doc_id)
        problem = record_problem(data, doc_id)
        if problem:
            yield Problem(doc_id, f"record.json: {problem}")
        else:
            record = data
    except DamagedDocument as exc:
        yield Problem(doc_id, exc.reason)
    try:
        problem = text_problem(read_document_json(folder / "text.json", doc_id))
        if problem:
            yield Problem(doc_id, f"text.json: {problem}")
    except DamagedDocument as exc:
        yield Problem(doc_id, exc.reason)
    originals = sorted(folder.glob("original.*"))
    if len(originals) != 1:
        yield Problem(doc_id, msg.CHECK_ORIGINALS.format(count=len(originals)))
        return
    original = originals[0]
    if original.is_symlink():
        yield Problem(doc_id, msg.CHECK_ORIGINAL_LINK.format(name=original.name))
        return
    try:
        digest = _sha256(original)
    except OSError as exc:
        yield Problem(
            doc_id,
            msg.CHECK_ORIGINAL_UNREADABLE.format(name=original.name, reason=msg.os_error(exc)),
        )
        return
    if not digest.startswith(doc_id):
        yield Problem(
            doc_id, msg.CHECK_ORIGINAL_CHANGED.format(name=original.name, digest=digest[:16])
        )
    elif record is not None and record["sha256"] != digest:
        yield Problem(doc_id, msg.CHECK_SHA_MISMATCH)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _inside(archive: Archive, path: Path) -> str:
    return str(path.relative_to(archive.root))
