"""Relevance harness: judged queries over real and generated documents, scored by recall@5 and MRR.

    python -m tests.relevance [--engine whoosh|tantivy] [--update-floor] [--show] [--steps]

The archive is built from the seeds and the text, Markdown and Word documents of ../shared/corpus
(when it is beside the checkout) and from the documents the project generates from its own
template examples (always), then searched through indexer's API as `diarium search` does.
queries.yaml holds each query with the feature it exercises and the documents a person would
judge relevant, by file name. A query whose relevant documents are all absent is left out, so
the same file serves a checkout without ../shared.

recall@5 counts the relevant documents in the first five hits out of min(5, relevant), so a
query with eight relevant documents can still reach 1.0; MRR is 1 / rank of the first relevant
hit (0 when none is in the first ten). Both are averaged per feature and over all queries.
Each search engine has its own floor, and the floor holds the number of queries of each feature
too, so neither a figure nor the coverage can shrink unseen.
"""

from __future__ import annotations

import atexit
import shutil
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from archive import Archive
from indexer.archive_sync import ENGINE_SETTING, index_of, rebuild_from_archive
from indexer.engines import default_engine
from indexer.index import FEATURES

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared"
EXAMPLES = REPO / "templates" / "examples"
QUERIES = HERE / "queries.yaml"
FLOOR = HERE / "floor.yaml"
TOP = 5
DEPTH = 10  # hits read for MRR
# Corpus files taken as they are: the text formats and Word (PDF extraction would make the
# harness slow without adding anything the text versions do not).
CORPUS_SUFFIXES = (".txt", ".md", ".docx")


@dataclass
class Query:
    text: str
    feature: str
    relevant: list[str]
    options: dict[str, object] = field(default_factory=dict)


@dataclass
class Outcome:
    query: Query
    relevant: set[str]  # those present in this archive
    ranked: list[str]  # sources of the hits, best first

    @property
    def recall(self) -> float:
        found = len(self.relevant & set(self.ranked[:TOP]))
        return found / min(TOP, len(self.relevant))

    @property
    def reciprocal_rank(self) -> float:
        for rank, source in enumerate(self.ranked[:DEPTH], start=1):
            if source in self.relevant:
                return 1.0 / rank
        return 0.0


@dataclass
class Report:
    corpus: str  # "full" (with ../shared) or "own" (generated documents only)
    outcomes: list[Outcome]
    features: frozenset[str] = FEATURES  # issue 6's features the search had
    engine: str = "whoosh"

    def figures(self) -> dict[str, dict[str, float]]:
        """recall@5 and MRR per feature and in total ("all")."""
        groups: dict[str, list[Outcome]] = {}
        for outcome in self.outcomes:
            groups.setdefault(outcome.query.feature, []).append(outcome)
        groups["all"] = list(self.outcomes)
        return {
            name: {
                "queries": len(items),
                "recall@5": round(statistics.fmean(o.recall for o in items), 3),
                "mrr": round(statistics.fmean(o.reciprocal_rank for o in items), 3),
            }
            for name, items in sorted(groups.items())
        }


def load_queries() -> list[Query]:
    data = yaml.safe_load(QUERIES.read_text("utf-8"))
    return [
        Query(
            text=str(item["query"]),
            feature=item["feature"],
            relevant=list(item["relevant"]),
            options=dict(item.get("options") or {}),
        )
        for item in data["queries"]
    ]


def corpus_files() -> list[Path]:
    """The real documents used, or [] when ../shared is not beside the checkout."""
    if not (SHARED / "seeds").is_dir():
        return []
    files = sorted((SHARED / "seeds").glob("*.txt"))
    files += sorted(
        p
        for p in (SHARED / "corpus").rglob("*")
        if p.suffix in CORPUS_SUFFIXES and "lang" not in p.relative_to(SHARED / "corpus").parts
    )
    return files


def generate_examples(folder: Path) -> list[tuple[Path, dict[str, object]]]:
    """Each template example rendered to Word, with the metadata the archive files it under."""
    from templates import find_kind, load_data, render

    made = []
    for data_file in sorted(EXAMPLES.glob("*.yaml")):
        data = load_data(data_file)
        kind = find_kind(data_file.stem)
        generated = render(kind, data, folder / f"{data_file.stem}.docx")
        made.append((generated.docx, generated.metadata))
    return made


# The harness's documents, archived once per process (without an index): each engine's run
# copies them and indexes the copy.
_MADE: dict[str, tuple[Path, str]] = {}


def _made_archive() -> tuple[Path, str]:
    if "archive" not in _MADE:
        root = Path(tempfile.mkdtemp(prefix="diarium-relevance-made-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        archive = Archive(root / "archive")
        files = corpus_files()
        if files:
            report = archive.ingest(files, jobs=2)
            if report.failed:
                raise RuntimeError(f"ingest failed: {report.failed}")
        (root / "generated").mkdir()
        for docx, metadata in generate_examples(root / "generated"):
            archive.store_generated(docx, metadata)
        _MADE["archive"] = (archive.root, "full" if files else "own")
    return _MADE["archive"]


@contextmanager
def built_archive(engine: str) -> Iterator[tuple[Archive, str]]:
    """A fresh archive of the harness's documents, indexed by the engine (set as a person sets
    it, in settings.yaml); yields it with the corpus name."""
    made, corpus = _made_archive()
    with tempfile.TemporaryDirectory(prefix="diarium-relevance-") as tmp:
        archive = Archive(Path(tmp) / "archive")
        shutil.copytree(made, archive.root)
        (archive.root / "settings.yaml").write_text(f"{ENGINE_SETTING}: {engine}\n", "utf-8")
        rebuild_from_archive(archive)
        yield archive, corpus


def run(steps: list[frozenset[str]] | None = None, engine: str | None = None) -> list[Report]:
    """One report per set of issue 6's features (default: all of them), on one archive."""
    engine = engine or default_engine()
    queries = load_queries()
    reports = []
    with built_archive(engine) as (archive, corpus):
        present = {doc.source for doc in archive.documents()}
        for features in steps or [FEATURES]:
            with index_of(archive, features) as index:
                outcomes = []
                for query in queries:
                    relevant = set(query.relevant) & present
                    if not relevant:
                        continue
                    result = index.search(query.text, limit=DEPTH, **query.options)  # type: ignore[arg-type]
                    ranked = [hit.source or "" for hit in result.hits]
                    outcomes.append(Outcome(query, relevant, ranked))
            reports.append(Report(corpus, outcomes, features, engine))
    return reports


FIGURES = ("queries", "recall@5", "mrr")


def load_floor() -> dict[str, dict[str, dict[str, dict[str, float]]]]:
    """{engine: {corpus: {feature: {figure: lowest allowed}}}}."""
    if not FLOOR.is_file():
        return {}
    return yaml.safe_load(FLOOR.read_text("utf-8")) or {}


def floor_of(report: Report) -> dict[str, dict[str, float]]:
    return load_floor().get(report.engine, {}).get(report.corpus, {})


def below_floor(report: Report) -> list[str]:
    """Each figure under its floor, as a line naming the feature, figure and both values."""
    floor = floor_of(report)
    figures = report.figures()
    problems = []
    for feature, minimums in floor.items():
        for name, minimum in minimums.items():
            value = figures.get(feature, {}).get(name, 0.0)
            if value < minimum:
                problems.append(
                    f"{report.engine} {feature} {name}: {value} is below the floor {minimum}"
                )
    return problems


def raise_floor(report: Report) -> dict[str, dict[str, float]]:
    """Set the floor to the current figures where they are higher; a floor never goes down."""
    floor = load_floor()
    mine = floor.setdefault(report.engine, {}).setdefault(report.corpus, {})
    for feature, figures in report.figures().items():
        kept = mine.setdefault(feature, {})
        for name in FIGURES:
            kept[name] = max(kept.get(name, 0.0), figures[name])
    header = (
        "# Lowest relevance figures allowed, per search engine, corpus ('full' with ../shared,\n"
        "# 'own' without) and feature, the number of queries among them. Only\n"
        "# `python -m tests.relevance --engine E --update-floor` changes this file, and it only\n"
        "# ever raises a value.\n"
    )
    FLOOR.write_text(header + yaml.safe_dump(floor, sort_keys=True, allow_unicode=True), "utf-8")
    return mine


def format_report(report: Report, *, show: bool = False) -> str:
    features = ", ".join(sorted(report.features)) or "none"
    lines = [
        f"engine: {report.engine}; corpus: {report.corpus}; queries: {len(report.outcomes)}; "
        f"features: {features}"
    ]
    lines.append(f"{'feature':<12}{'queries':>8}{'recall@5':>10}{'MRR':>8}")
    for feature, figures in report.figures().items():
        lines.append(
            f"{feature:<12}{figures['queries']:>8}{figures['recall@5']:>10.3f}{figures['mrr']:>8.3f}"
        )
    if show:
        for o in report.outcomes:
            marks = " ".join(("*" if s in o.relevant else ".") for s in o.ranked[:DEPTH])
            lines.append(
                f"  [{o.query.feature}] {o.query.text!r}: recall {o.recall:.2f}, "
                f"rr {o.reciprocal_rank:.2f}  {marks}"
            )
    return "\n".join(lines)
