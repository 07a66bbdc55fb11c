"""One failure takes nothing else down, through real `diarium` processes: a killed worker fails
only its own file, a killed parent takes its workers with it, a damaged record is one damaged
document, and a full or read-only disk is one line after the report of what was stored."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive import Archive
from tests.hostile_helpers import (
    assert_one_line_errors,
    diarium,
    environment,
    ingest_json,
    open_files,
    pids_of_children,
    slow_pdf,
    write_text_documents,
)


def _start_ingest(archive: Path, folder: Path, jobs: int = 2) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "ingest", "--json", "-j", str(jobs), str(folder)],
        env=environment(archive),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _worker_reading(parent: int, name: str, timeout: float = 60) -> int:
    """The pid of the worker that has `name` open (pdfium keeps a PDF open while reading it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in pids_of_children(parent):
            if any(path.endswith(name) for path in open_files(pid)):
                return pid
        time.sleep(0.05)
    raise AssertionError(f"no worker of {parent} opened {name} within {timeout} s")


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parti")
    write_text_documents(folder, 12)
    # the largest file goes first, so one worker takes it while the other reads the rest
    slow_pdf(folder / "tung.pdf", pages=30, lines_per_page=3000)
    return folder


def test_a_killed_worker_fails_only_its_own_file(tmp_path: Path, batch: Path) -> None:
    archive = tmp_path / "arkiv"
    process = _start_ingest(archive, batch)
    victim = _worker_reading(process.pid, "tung.pdf")
    os.kill(victim, signal.SIGKILL)  # as the kernel's OOM killer does
    out, err = process.communicate(timeout=300)
    report = json.loads(out)
    assert process.returncode == 1, err
    assert [Path(f["path"]).name for f in report["failed"]] == ["tung.pdf"]
    assert "läsprocessen dog" in report["failed"][0]["error"]
    assert len(report["added"]) == 12
    assert len(Archive(archive)) == 12
    assert "Traceback" not in err


def test_a_killed_parent_takes_its_workers_with_it(tmp_path: Path, batch: Path) -> None:
    archive = tmp_path / "arkiv"
    process = _start_ingest(archive, batch)
    _worker_reading(process.pid, "tung.pdf")
    workers = pids_of_children(process.pid)
    assert workers
    process.kill()
    process.communicate(timeout=60)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), "workers outlived the killed ingest"
    # what the killed batch left is finished by running it again
    run, report = ingest_json(archive, batch, jobs=2)
    assert run.code == 0, run.err
    assert len(report["added"]) + len(report["unchanged"]) == 13
    assert not list((archive / "tmp").iterdir())


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def test_an_empty_record_is_one_damaged_document(tmp_path: Path) -> None:
    archive = tmp_path / "arkiv"
    write_text_documents(tmp_path / "in", 3)
    run, report = ingest_json(archive, tmp_path / "in")
    assert run.code == 0, run.err
    broken, text_broken, good = (d["id"] for d in report["added"])
    store = Archive(archive)
    (store.documents_dir / broken[:2] / broken / "record.json").write_bytes(b"")
    (store.documents_dir / text_broken[:2] / text_broken / "text.json").write_text("[1, 2")

    listed = diarium(archive, "list")
    assert listed.code == 0, listed.err
    assert good in listed.out and text_broken in listed.out
    assert f"{broken}  SKADAT" in listed.out
    stats = diarium(archive, "stats", "--json")
    assert stats.code == 0 and json.loads(stats.out)["damaged"] == [broken]
    assert json.loads(stats.out)["documents"] == 2
    shown = diarium(archive, "show", broken)
    assert shown.code == 1 and len(shown.err_lines) == 1 and "skadat" in shown.err
    assert diarium(archive, "show", good).code == 0
    text = diarium(archive, "show", text_broken, "--text")
    assert text.code == 1 and "text.json" in text.err and len(text.err_lines) == 1
    found = diarium(archive, "search", "försörjningsstöd")  # builds the index, without them
    assert found.code == 0 and good in found.out and "1 dokument matchar" in found.out

    check = diarium(archive, "check")
    assert check.code == 1
    named = {line.split(":")[0] for line in check.out.splitlines()}
    assert {broken, text_broken} <= named and good not in named
    reindexed = diarium(archive, "reindex")
    assert reindexed.code == 0 and f"hoppade över {broken}" in reindexed.err
    removed = diarium(archive, "remove", "--yes", broken)
    assert removed.code == 0 and broken in removed.out, removed.err
    assert broken not in diarium(archive, "list").out
    # in the trash as it was (its original may be whole), and back again
    trashed = diarium(archive, "trash", "list")
    assert trashed.code == 0 and broken in trashed.out and "SKADAT" in trashed.out
    restored = diarium(archive, "restore", broken)
    assert restored.code == 0 and "skadat" in restored.out, restored.err
    assert f"{broken}  SKADAT" in diarium(archive, "list").out
    for run in (listed, stats, shown, text, check, reindexed, removed):
        assert_one_line_errors(run)


def test_check_finds_a_changed_original(tmp_path: Path) -> None:
    archive = tmp_path / "arkiv"
    write_text_documents(tmp_path / "in", 2)
    run, report = ingest_json(archive, tmp_path / "in")
    doc_id = report["added"][0]["id"]
    assert diarium(archive, "check").code == 0
    (original,) = (Archive(archive).documents_dir / doc_id[:2] / doc_id).glob("original.*")
    original.write_text(original.read_text() + "ändrad\n")
    with (archive / "journal").open("a") as journal:
        journal.write('{"op": "removed", "id": "../../x"}\n')
    check = diarium(archive, "check", "--json")
    assert check.code == 1
    problems = json.loads(check.out)
    assert [p["where"] for p in problems] == [doc_id, "journal"], problems
    assert "ändrats" in problems[0]["what"] and "'../../x'" in problems[1]["what"]


def test_a_killed_reindexs_leftover_generation_is_cleaned_by_the_next_command(
    tmp_path: Path,
) -> None:
    archive = tmp_path / "arkiv"
    write_text_documents(tmp_path / "in", 2)
    ingest_json(archive, tmp_path / "in")
    assert "2 dokument matchar" in diarium(archive, "search", "försörjningsstöd").out
    # what `reindex` leaves when killed mid-build: a generation folder CURRENT does not name
    leftover = archive / "index" / "gen-20260101T000000-deadbeef"
    leftover.mkdir()
    (leftover / "_MAIN_1.toc").write_bytes(b"half")
    found = diarium(archive, "search", "försörjningsstöd")
    assert "2 dokument matchar" in found.out, found.err
    assert not leftover.exists()


# -- failing disks ----------------------------------------------------------------------------


@pytest.fixture()
def small_disk(tmp_path: Path) -> Path:
    """A 3 MB tmpfs of the test's own (skipped where mounting is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'not root'})")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _big_texts(folder: Path, count: int, kb: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for n in range(count):
        path = folder / f"bilaga-{n:02d}.txt"
        words = " ".join(f"ord{n}x{k}" for k in range(kb * 1024 // 9))
        path.write_text(f"Bilaga {n}\n\n{words}\n")
        paths.append(path)
    return paths


def test_a_full_disk_is_one_line_after_the_report(tmp_path: Path, small_disk: Path) -> None:
    archive = small_disk / "arkiv"
    _big_texts(tmp_path / "in", 8, kb=400)
    run = diarium(archive, "ingest", "-j", "1", str(tmp_path / "in"))
    assert run.code == 1
    added = [line for line in run.out.splitlines() if line.startswith("tillagd")]
    assert 1 <= len(added) < 8, run.out
    last = run.err_lines[-1]
    assert "disken är full" in last and str(archive) in last, run.err
    assert_one_line_errors(run)
    store = Archive(archive)
    assert len(store) == len(added)
    assert not list(store.tmp_dir.iterdir()), "a half-written document stayed"
    check = diarium(archive, "check")
    assert check.code == 0, check.out  # what was stored is whole (no index yet: nothing to compare)


def test_a_read_only_archive_is_one_line(tmp_path: Path, small_disk: Path) -> None:
    archive = small_disk / "arkiv"
    write_text_documents(tmp_path / "in", 1)
    run, report = ingest_json(archive, tmp_path / "in")
    assert run.code == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    write_text_documents(tmp_path / "mer", 2, word="nytt")
    for args in (
        ("ingest", str(tmp_path / "mer")),
        ("remove", "--yes", report["added"][0]["id"]),
        ("reindex",),
    ):
        run = diarium(archive, *args)
        assert run.code == 1, args
        assert "skrivskydd" in run.err or "Read-only" in run.err, (args, run.err)
        assert_one_line_errors(run)
    assert len(Archive(archive)) == 1
