"""Archives to search in the index tests, and what a plain scan of them says should match.

Two archives: documents diarium generates from its own template examples (always available),
and the real seeds and corpus texts beside the checkout (../shared). The "oracle" below reads
the archive directly, term by term, so the index's answers can be checked against a scan.
"""

from __future__ import annotations

import atexit
import copy
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath

from archive import Archive, Document
from indexer import analysis
from indexer.archive_sync import rebuild_from_archive
from indexer.query import case_key, case_keys
from templates import find_kind, load_data, render

EXAMPLES = Path(__file__).resolve().parents[1] / "templates" / "examples"

# Each example rendered as written and again as another municipality's document of another
# year, so filters and facets have something to tell apart.
VARIANTS = [
    {},
    {"kommun": "Uppsala kommun", "datum": "2019-05-14", "diarienummer": "KS-2019-00730"},
    {"kommun": "Lekebergs kommun", "datum": "2024-01-22", "diarienummer": "SN 2024/17"},
]


# Each engine's table of contents and the files of its segments: what damaging an index means.
ENGINE_FILES = {
    "whoosh": {"toc": ["*.toc"], "segment": ["*.trm", "*.pst"]},
    "tantivy": {"toc": ["meta.json"], "segment": ["*.term", "*.idx", "*.pos"]},
}


def damage(folder: Path, engine: str, part: str) -> None:
    """Cut an engine's table of contents short, or overwrite the middle half of its segments."""
    files = [f for pattern in ENGINE_FILES[engine][part] for f in folder.glob(pattern)]
    assert files, f"no {part} files of {engine} in {folder}"
    for path in files:
        if part == "toc":
            path.write_bytes(path.read_bytes()[:40])
            continue
        data = bytearray(path.read_bytes())
        data[len(data) // 4 : len(data) * 3 // 4] = b"\x07" * (len(data) * 3 // 4 - len(data) // 4)
        path.write_bytes(bytes(data))


# Archives already made in this test process, by what they hold: each test gets its own copy
# (documents, journal and all) and its own index, without rendering or ingesting them again
# for every search engine the contract tests run on.
_MADE: dict[str, Path] = {}


def _copy_of_made(name: str, root: Path, make: Callable[[Path], None]) -> Archive:
    template = _MADE.get(name)
    if template is None:
        template = Path(tempfile.mkdtemp(prefix=f"diarium-test-{name}-"))
        atexit.register(shutil.rmtree, template, ignore_errors=True)
        make(template)
        _MADE[name] = template
    for part in template.iterdir():
        shutil.copytree(part, root / part.name, dirs_exist_ok=True)
    archive = Archive(root / "archive")
    shutil.rmtree(archive.index_dir, ignore_errors=True)
    rebuild_from_archive(archive)
    return archive


def generated_archive(root: Path) -> Archive:
    """Fifteen documents diarium writes itself, filed as `generate --file` files them."""
    return _copy_of_made("generated", root, _generate)


def _generate(root: Path) -> None:
    archive = Archive(root / "archive")
    for n, data_file in enumerate(sorted(EXAMPLES.glob("*.yaml"))):
        data = load_data(data_file)
        kind = find_kind(data_file.stem)
        for v, variant in enumerate(VARIANTS):
            values = copy.deepcopy(data) | variant
            if "datum" in variant:
                for key in ("sammanträdesdatum", "justeringsdatum"):
                    if key in values:
                        values[key] = variant["datum"]
            out = root / "generated" / f"{n}-{v}-{data_file.stem}.docx"
            generated = render(kind, values, out)
            archive.store_generated(out, generated.metadata)


def shared_archive(root: Path, shared: Path) -> Archive:
    """The seeds and every text and Markdown document of ../shared/corpus, ingested."""
    return _copy_of_made("shared", root, lambda made: _ingest_shared(made, shared))


def _ingest_shared(root: Path, shared: Path) -> None:
    archive = Archive(root / "archive")
    files = sorted((shared / "seeds").glob("*.txt"))
    corpus = shared / "corpus"
    files += sorted(
        p
        for p in [*corpus.glob("**/*.txt"), *corpus.glob("**/*.md")]
        if "lang" not in p.relative_to(corpus).parts and p.name != "README.md"
    )
    report = archive.ingest(files, jobs=1)
    assert not report.failed, report.failed


@dataclass
class Oracle:
    """Each archived document's metadata and analysed terms, read straight from the archive."""

    docs: dict[str, Document]
    terms: dict[str, list[str]]  # id -> terms in order (text and metadata words)
    page_terms: dict[str, list[tuple[int, set[str]]]]
    words: set[str]  # every word written in the archive, lower-cased

    @classmethod
    def of(cls, archive: Archive) -> Oracle:
        docs = {d.id: d for d in archive.documents()}
        terms, page_terms, words = {}, {}, set()
        for doc_id, doc in docs.items():
            pages = archive.pages(doc_id)
            meta = [doc.board, doc.department, *doc.officers, doc.municipality, doc.case_number]
            meta.append(PurePath(doc.source).stem)
            text = "\n".join([doc.title or "", " ".join(m for m in meta if m)])
            terms[doc_id] = analysis.analyze("\n".join([text] + [p.text for p in pages]))
            page_terms[doc_id] = [(p.number, set(analysis.analyze(p.text))) for p in pages]
            words.update(w for p in pages for w in analysis.words(p.text) if w.isalpha())
        return cls(docs, terms, page_terms, words)

    def phrase(self, text: str) -> set[str]:
        want = analysis.analyze(text)
        n = len(want)
        return {
            d
            for d, ts in self.terms.items()
            if any(ts[i : i + n] == want for i in range(len(ts) - n + 1))
        }

    def where(self, **meta: object) -> set[str]:
        return {
            d
            for d, doc in self.docs.items()
            if all(getattr(doc, key) == value for key, value in meta.items())
        }

    def with_case(self, typed: str) -> set[str]:
        return {
            d
            for d, doc in self.docs.items()
            if doc.case_number and case_key(typed) in case_keys(doc.case_number)
        }

    def common_words(self, count: int) -> list[str]:
        """Words (as written) of several documents but not all, most widespread first.

        Words, not terms: a stem analysed again need not give itself ("revisor" -> "revis").
        """
        spread: dict[str, int] = {}
        for ts in self.terms.values():
            for t in set(ts):
                spread[t] = spread.get(t, 0) + 1
        total = len(self.terms)
        picked = {t for t, n in spread.items() if 2 <= n < total and len(t) > 3}
        written: dict[str, str] = {}
        for word in sorted(self.words):
            (term,) = analysis.analyze(word) or ("",)
            if term in picked and analysis.analyze(term) == [term] and term not in written:
                written[term] = word
        ranked = sorted(written, key=lambda t: (-spread[t], t))
        return [written[t] for t in ranked[:count]]

    def having(self, word: str) -> set[str]:
        (term,) = analysis.analyze(word)
        return {d for d, ts in self.terms.items() if term in ts}
