"""Document generation benchmark: documents per second for DOCX alone and for DOCX + PDF/A.

    python -m tests.benchmarks.bench_generate [--docs 50] [--no-pdf]

A batch cycles through every built-in kind with its example data (each document given its own
title, so no two are alike), renders the DOCX files one after another as `diarium generate`
does, and then converts the whole batch to PDF/A-2b with a single LibreOffice start. The first
render of each kind (reading its template) is included: that is what a fresh process pays.
Targets on the project's 2-core machine: at least 25 DOCX/s, at least 2 documents/s with PDF.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from templates.pdf import to_pdf
from templates.render import load_data, render
from templates.schema import load_kinds

EXAMPLES = Path(__file__).resolve().parents[2] / "templates" / "examples"
DOCX_TARGET = 25.0
PDF_TARGET = 2.0


def render_batch(count: int, folder: Path) -> tuple[list[Path], float]:
    kinds = list(load_kinds().values())
    data = {kind.slug: load_data(EXAMPLES / f"{kind.slug}.yaml") for kind in kinds}
    started = time.perf_counter()
    made = []
    for number in range(count):
        kind = kinds[number % len(kinds)]
        values = data[kind.slug] | {"rubrik": f"{data[kind.slug]['rubrik']} (nr {number + 1})"}
        made.append(render(kind, values, folder / f"{number:03d}-{kind.slug}.docx").docx)
    return made, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=50, help="documents in the batch (50)")
    parser.add_argument("--no-pdf", action="store_true", help="skip the DOCX+PDF run")
    args = parser.parse_args()
    print(f"batch: {args.docs} documents, {len(load_kinds())} kinds; {os.cpu_count()} cores")
    failed = False
    with tempfile.TemporaryDirectory(prefix="bench-generate-") as scratch:
        docx_dir = Path(scratch) / "docx"
        docx_dir.mkdir()
        made, seconds = render_batch(args.docs, docx_dir)
        rate = len(made) / seconds
        failed |= rate < DOCX_TARGET
        print(f"DOCX alone:  {seconds:6.2f} s  {rate:7.1f} documents/s  (target >= {DOCX_TARGET})")
        if args.no_pdf:
            sys.exit(1 if failed else 0)
        if shutil.which("soffice") is None:
            sys.exit("DOCX+PDF: LibreOffice (soffice) is not installed")
        pdf_dir = Path(scratch) / "pdf"
        pdf_dir.mkdir()
        started = time.perf_counter()
        made, render_seconds = render_batch(args.docs, pdf_dir)
        pdf_started = time.perf_counter()
        pdfs = to_pdf(made)
        pdf_seconds = time.perf_counter() - pdf_started
        seconds = time.perf_counter() - started
        rate = len(pdfs) / seconds
        failed |= rate < PDF_TARGET
        print(
            f"DOCX+PDF/A:  {seconds:6.2f} s  {rate:7.1f} documents/s  (target >= {PDF_TARGET}; "
            f"render {render_seconds:.2f} s, one LibreOffice run {pdf_seconds:.2f} s)"
        )
    print("targets met" if not failed else "TARGET MISSED")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
