"""Bounded fuzzing: the query parser and search on any text, and extraction on mutated PDF and
DOCX files, end only in a result or in diarium's own one-line error (a DiariumError), never in
another exception that would reach a user as a traceback.

Each run tries FUZZ_EXAMPLES inputs per target (printed with `pytest -s`); hypothesis keeps the
failing ones in its database only when run with a cache, which the suite is not.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import Archive, DiariumError
from archive.extract import extract
from indexer.archive_sync import index_of, rebuild_from_archive
from indexer.query import parse
from tests.hostile_helpers import slow_pdf, small_docx, write_text_documents

FUZZ_EXAMPLES = {"query": 300, "search": 150, "pdf": 150, "docx": 150}
TRIED: Counter[str] = Counter()


def _fuzz(target: str) -> settings:
    return settings(
        max_examples=FUZZ_EXAMPLES[target],
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
        ],
    )


# Pieces queries are made of, so the parser meets its own syntax, not just noise.
_PIECES = st.sampled_from(
    [
        "(",
        ")",
        '"',
        " ",
        "OR",
        "AND",
        "NOT",
        "-",
        "stöd",
        "nämnd",
        "kind:",
        "year:",
        "2021..2023",
        "date:",
        "..",
        "KS 2021/7",
        "municipality:Uppsala",
        "*",
        ":",
        "\\",
        "å",
        "\x00",
        "\u202e",
        "((",
        "))",
        '""',
        "board:",
        "2021-02-30",
    ]
)
QUERIES = st.one_of(st.text(max_size=60), st.lists(_PIECES, max_size=30).map("".join))


@_fuzz("query")
@given(QUERIES)
def test_fuzz_query_parser(query: str) -> None:
    TRIED["query"] += 1
    try:
        parse(query)
    except DiariumError as exc:
        assert "\n" not in str(exc)


@pytest.fixture(scope="module")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    root = tmp_path_factory.mktemp("fuzzarkiv")
    archive = Archive(root / "arkiv")
    archive.ingest(write_text_documents(root / "in", 3), jobs=1)
    rebuild_from_archive(archive)
    return archive


@_fuzz("search")
@given(query=QUERIES)
def test_fuzz_search(small_index: Archive, query: str) -> None:
    TRIED["search"] += 1
    index = index_of(small_index)
    try:
        index.search(query, facets=True)
    except DiariumError as exc:
        assert "\n" not in str(exc)
    finally:
        index.close()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the two sample files the mutations start from, and room for the mutants."""
    folder = tmp_path_factory.mktemp("fuzzfiler")
    slow_pdf(folder / "prov.pdf", pages=2, lines_per_page=20)
    small_docx(folder / "prov.docx", "Tjänsteskrivelse\nDatum: 2021-03-04\nOm stöd")
    return folder


# A mutation: some bytes overwritten, a run inserted or cut, the file truncated.
MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["set", "insert", "cut", "truncate"]),
        st.floats(0, 1, allow_nan=False),
        st.binary(min_size=1, max_size=16),
    ),
    min_size=1,
    max_size=6,
)


def _mutate(data: bytes, mutations: list[tuple[str, float, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, where, chunk in mutations:
        at = int(where * max(len(out) - 1, 0))
        if kind == "set":
            out[at : at + len(chunk)] = chunk
        elif kind == "insert":
            out[at:at] = chunk
        elif kind == "cut":
            del out[at : at + len(chunk) * 64]
        else:
            del out[at:]
    return bytes(out)


def _docx_mutations(data: bytes, part_mutations: list[tuple[str, float, bytes]]) -> bytes:
    """Mutate the XML inside the zip too: byte noise on the zip alone stops at its CRC."""
    import io

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/document.xml":
                content = _mutate(content, part_mutations)
            target.writestr(item.filename, content)
    return buffer.getvalue()


def _extract_bytes(folder: Path, name: str, data: bytes) -> None:
    path = folder / name
    path.write_bytes(data)
    try:
        extract(path)
    except DiariumError as exc:
        assert "\n" not in str(exc)


@_fuzz("pdf")
@given(mutations=MUTATIONS)
def test_fuzz_extract_mutated_pdf(scratch: Path, mutations) -> None:
    TRIED["pdf"] += 1
    _extract_bytes(scratch, "muterad.pdf", _mutate((scratch / "prov.pdf").read_bytes(), mutations))


@_fuzz("docx")
@given(mutations=MUTATIONS, inner=st.booleans())
def test_fuzz_extract_mutated_docx(scratch: Path, mutations, inner: bool) -> None:
    TRIED["docx"] += 1
    data = (scratch / "prov.docx").read_bytes()
    data = _docx_mutations(data, mutations) if inner else _mutate(data, mutations)
    _extract_bytes(scratch, "muterad.docx", data)


def test_fuzz_counts() -> None:
    """Runs last in this file: how many inputs the fuzz tests above tried."""
    print(f"\nfuzz inputs tried: {dict(TRIED)} (total {sum(TRIED.values())})")
    assert set(TRIED) <= set(FUZZ_EXAMPLES)
