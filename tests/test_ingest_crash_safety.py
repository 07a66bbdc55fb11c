"""A killed batch and two batches at once: nothing reported as stored is lost or half-written."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from archive import Archive

REPO = Path(__file__).resolve().parents[1]


def make_batch(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for i in range(count):
        path = folder / f"skrivelse-{i:04d}.txt"
        path.write_text(
            f"Tjänsteskrivelse\n\nDatum: 2022-{1 + i % 12:02d}-{1 + i % 28:02d}\n"
            f"Diarienummer: KS 2022/{i}\n\nÄrende nummer {i} om försörjningsstöd.\n" * 20,
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def diarium(archive: Path, *args: str, **popen: object) -> subprocess.Popen[str]:
    env = {**os.environ, "DIARIUM_ARCHIVE": str(archive)}
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,  # type: ignore[arg-type]
    )


def assert_every_listed_document_opens(archive: Archive) -> set[str]:
    ids = set()
    for doc in archive.documents():
        original = archive.original(doc.id).read_bytes()
        assert hashlib.sha256(original).hexdigest() == doc.sha256
        assert archive.pages(doc.id), doc.id
        ids.add(doc.id)
    return ids


def test_sigkill_half_way_then_ingest_completes_the_batch(tmp_path: Path) -> None:
    paths = make_batch(tmp_path / "in", 600)
    root = tmp_path / "archive"
    proc = diarium(root, "ingest", str(tmp_path / "in"), "--jobs", "2", start_new_session=True)
    deadline = time.monotonic() + 60
    documents = root / "documents"
    while time.monotonic() < deadline:
        stored = sum(1 for _ in documents.glob("*/*/record.json")) if documents.exists() else 0
        if stored >= 100:
            break
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)  # the workers too, as when a machine loses power
    proc.wait()
    proc.communicate()

    archive = Archive(root)
    before = assert_every_listed_document_opens(archive)
    assert 100 <= len(before) < len(paths), "the kill must land half-way for this test to mean much"

    finish = diarium(root, "ingest", str(tmp_path / "in"), "--json")
    out, err = finish.communicate(timeout=300)
    assert finish.returncode == 0, err
    report = json.loads(out)
    assert {d["id"] for d in report["unchanged"]} == before
    assert len(report["added"]) + len(report["unchanged"]) == len(paths)
    assert len(assert_every_listed_document_opens(archive)) == len(paths)
    assert not list((root / "tmp").iterdir()), "staging left by the killed run is cleaned"


def test_two_ingests_at_once_neither_corrupt_nor_lose(tmp_path: Path) -> None:
    paths = make_batch(tmp_path / "in", 200)
    root = tmp_path / "archive"
    first = diarium(root, "ingest", str(tmp_path / "in"), "--json", "--jobs", "2")
    second = diarium(root, "ingest", str(tmp_path / "in"), "--json", "--jobs", "2")
    reports = []
    for proc in (first, second):
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        reports.append(json.loads(out))
    added = [d["id"] for r in reports for d in r["added"]]
    assert len(added) == len(set(added)) == len(paths), "each document is stored exactly once"
    for report in reports:
        assert len(report["added"]) + len(report["unchanged"]) == len(paths)
    assert len(assert_every_listed_document_opens(Archive(root))) == len(paths)
