"""Running `diarium` as a real process against hostile input, and files to feed it.

Each run is a fresh process with only the test's archive (no DIARIUM_* of the developer's),
and can be measured: wall time, and the CPU time and peak resident memory of it and every
process it started (its workers included), read from a small wrapper process's RUSAGE_CHILDREN.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document

_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "sys.stderr.write(f'\\nCPU_S={use.ru_utime + use.ru_stime} PEAK_RSS_KB={use.ru_maxrss}\\n')\n"
    "sys.exit(code)\n"
)


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float  # wall time
    peak_mb: float | None = None
    cpu_seconds: float | None = None  # of the process and all it started (when measured)

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def environment(archive: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIARIUM_")}
    if archive is not None:
        env["DIARIUM_ARCHIVE"] = str(archive)
    return env


def diarium(
    archive: Path | None,
    *args: str,
    timeout: float = 180,
    measure: bool = False,
    address_space_mb: int | None = None,
    cwd: Path | None = None,
) -> Run:
    """`diarium ARGS` in a process of its own; `address_space_mb` runs it under `prlimit --as`."""
    command: list[str] = [sys.executable, "-m", "cli", *args]
    if address_space_mb is not None:
        command = ["prlimit", f"--as={address_space_mb * 2**20}", *command]
    if measure:
        command = [sys.executable, "-c", _MEASURE, *command]
    started = time.monotonic()
    done = subprocess.run(
        command, env=environment(archive), capture_output=True, timeout=timeout, cwd=cwd
    )
    seconds = time.monotonic() - started
    out = done.stdout.decode("utf-8", "replace")
    err = done.stderr.decode("utf-8", "replace")
    peak = cpu = None
    if measure:
        err, _, figures = err.rpartition("CPU_S=")
        cpu_text, _, peak_text = figures.partition(" PEAK_RSS_KB=")
        cpu, peak = float(cpu_text), int(peak_text.strip()) / 1024
    return Run(done.returncode, out, err, seconds, peak, cpu)


def ingest_json(archive: Path, *paths: Path | str, jobs: int = 1) -> tuple[Run, dict]:
    run = diarium(archive, "ingest", "--json", "-j", str(jobs), *map(str, paths))
    return run, json.loads(run.out)


def assert_one_line_errors(run: Run) -> None:
    """Every line on stderr is diarium's own, never Python's."""
    assert "Traceback" not in run.err, run.err
    assert "Error:" not in run.err.replace("diarium:", ""), run.err


def write_text_documents(folder: Path, count: int, word: str = "") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"skrivelse-{n:03d}.txt"
        path.write_text(
            f"Tjänsteskrivelse\n\nDatum: 2021-03-{n % 28 + 1:02d}\n"
            f"Diarienummer: KS 2021/{n + 1}\n\nÄrende nummer {n} om försörjningsstöd {word}\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def small_docx(path: Path, text: str = "Tjänsteskrivelse om försörjningsstöd") -> Path:
    document = Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(str(path))
    return path


def zip_bomb(path: Path, base: Path, unpacked_mb: int = 1100) -> Path:
    """A real DOCX whose document.xml unpacks to `unpacked_mb` MB (about 1 MB packed)."""
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(path, "w") as bomb:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                bomb.writestr(item, source.read(item.filename), zipfile.ZIP_DEFLATED)
                continue
            info = zipfile.ZipInfo("word/document.xml")
            info.compress_type = zipfile.ZIP_DEFLATED
            info._compresslevel = 1  # type: ignore[attr-defined]
            with bomb.open(info, "w", force_zip64=True) as part:
                part.write(
                    b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats'
                    b'.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
                )
                chunk = b"A" * 2**20
                for _ in range(unpacked_mb):
                    part.write(chunk)
                part.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return path


def slow_pdf(
    path: Path,
    pages: int,
    lines_per_page: int,
    text: str = "Protokoll från kommunstyrelsens sammanträde, sida",
) -> Path:
    """A valid PDF whose pages are full of ruled lines, so reading its tables takes seconds.

    Each page carries a line of real text: a page with hardly any text under that much drawing
    looks like text drawn as outlines and is read by OCR (archive.extract.ocr.text_is_usable),
    which takes minutes, not seconds."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    pages_id = 1 + 1 + 2 * pages  # after the font and a content stream and page per page
    kids = []
    for number in range(1, pages + 1):
        ops = [f"BT /F1 12 Tf 72 700 Td ({text} {number}) Tj ET".encode()]
        for k in range(lines_per_page):
            y = 50 + k % 600
            ops.append(f"{50 + k % 400} {y} m {60 + k % 400} {y} l S".encode())
        content = b"\n".join(ops)
        stream = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (pages_id, stream, font)
            )
        )
    tree = add(
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), pages)
    )
    assert tree == pages_id
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % tree)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


def pids_of_children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def open_files(pid: int) -> Sequence[str]:
    folder = Path(f"/proc/{pid}/fd")
    names = []
    try:
        for fd in folder.iterdir():
            try:
                names.append(os.readlink(fd))
            except OSError:
                continue
    except OSError:
        pass
    return names
