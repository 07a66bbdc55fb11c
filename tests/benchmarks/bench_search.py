"""Search benchmark: diarium on Whoosh and on tantivy side by side with bare tantivy-py and FTS5.

    python -m tests.benchmarks.bench_search [--docs 100000]
        [--engines diarium-whoosh,diarium-tantivy,tantivy,fts5]

diarium-whoosh and diarium-tantivy are diarium's own index (indexer.Index) with every Swedish
feature on (stems, compound parts, folded forms, synonyms, respelling) on each engine; tantivy is
tantivy-py alone with its Snowball stemmer (no compounds, synonyms or folding); fts5 is SQLite.

Generates a deterministic synthetic Swedish corpus (municipal vocabulary with compounds,
inflections and set expressions; 2010-2025; 25 municipalities; a few hundred to a few thousand
words per document), written once to JSON-lines files on every core (not part of any engine's
index time: making the text costs about as much CPU as analysing it; `--keep DIR` keeps and
reuses them), indexes it with each engine in its own process (so peak memory is that engine's;
"+ its workers" adds the processes a rebuild analyses in) and runs the same fixed queries:
single words, two words, phrases, with municipality and year filters; top 10 with snippets and
the exact total. Reports words/s indexed, index size, peak
memory and query latency p50/p95 with the ratios to the other engines.

The background vocabulary comes from ../shared (seeds and corpus text) when it is beside the
checkout, else from the built-in list below; the report says which.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
SEED = 20240917

MUNICIPALITIES = [
    "Stockholm", "Göteborg", "Malmö", "Uppsala", "Linköping", "Örebro", "Västerås", "Helsingborg",
    "Norrköping", "Jönköping", "Umeå", "Lund", "Borås", "Huddinge", "Eskilstuna", "Gävle",
    "Södertälje", "Karlstad", "Täby", "Växjö", "Halmstad", "Sundsvall", "Luleå", "Botkyrka",
    "Alingsås", "Lekeberg", "Högsby", "Kungsbacka",
]  # fmt: skip
KINDS = [
    "tjänsteskrivelse", "yttrande", "svar på revisionsrapport", "verksamhetsuppföljning",
    "protokoll", "protokollsutdrag", "revisionsrapport", "annat",
]  # fmt: skip
BOARDS = [
    ("Kommunstyrelsen", "KS"), ("Socialnämnden", "SN"), ("Arbetsmarknadsnämnden", "AMN"),
    ("Kultur- och utbildningsnämnden", "KUN"), ("Social- och omsorgsnämnden", "SON"),
    ("Byggnadsnämnden", "BN"), ("Miljö- och hälsoskyddsnämnden", "MHN"),
    ("Tekniska nämnden", "TN"), ("Barn- och ungdomsnämnden", "BUN"), ("Kommunfullmäktige", "KF"),
]  # fmt: skip

# Background words used when ../shared is absent: municipal Swedish with its inflections,
# compounds and the function words that make up half of any real text.
BUILTIN_TEXT = """
och att i som en det på av för med till är om har de inte den ett ska till från kan vid
under eller även detta samt enligt efter genom mot inom vara har varit blir blev finns
kommunen kommunens kommuner kommunerna nämnden nämndens nämnder nämnderna styrelsen
kommunstyrelsen kommunstyrelsens kommunfullmäktige fullmäktiges förvaltningen förvaltningens
förvaltningar beslut beslutet besluten beslutar beslutade ärendet ärenden ärendets handläggning
handläggare handläggaren handläggarna uppföljning uppföljningen uppföljningar verksamhet
verksamheten verksamhetens verksamheter uppdrag uppdraget uppdragen arbete arbetet arbetar
bedömning bedömningen bedömningar bedömer bedöms granskning granskningen granskningar
revisionen revisorerna revisionsrapport revisionsrapporten rekommendationer rekommendationen
åtgärder åtgärderna åtgärd insatser insatsen insats stöd stödet stödja individer individen
hushåll hushållen personer personal personalen medarbetare medarbetarna chef chefer enhetschef
avdelningen avdelning enheten enhet enheter budget budgeten kostnader kostnaden kostnad
ekonomi ekonomiska ekonomisk ekonomiskt resultat resultatet mål målet målen nämndmål
riktlinje riktlinjen riktlinjer rutin rutinen rutiner plan planen planer handlingsplan
verksamhetsplan verksamhetsplanen internkontroll internkontrollen uppföljningsrapport
försörjningsstöd försörjningsstödet bistånd biståndet arbetsmarknad arbetsmarknaden
arbetsmarknadsinsatser arbetsförmåga arbetsförmågan arbetsförmågebedömning sysselsättning
socialtjänst socialtjänsten socialsekreterare socialsekreterarna barn barnen unga ungdomar
skola skolan skolor förskola förskolan elever eleverna utbildning utbildningen lärare
äldreomsorg äldreomsorgen hemtjänst hemtjänsten omsorg omsorgen vård vården boende boendet
bygglov bygglovet detaljplan detaljplanen planering stadsplanering bostäder bostad lokaler
miljö miljön klimat klimatet energi energin avfall vatten avlopp trafik trafiken gator
upphandling upphandlingen avtal avtalet avtalen leverantör leverantörer inköp fakturor
information informationen digitalisering systemet system säkerhet informationssäkerhet
dataskydd personuppgifter allmän handling sekretess diarium diariet diarienummer protokoll
sammanträde sammanträdet ordförande ledamöter ersättare förslag förslaget yttrande yttrandet
remiss remissen svar svaret underlag beslutsunderlag bilaga bilagan tjänsteskrivelse
samverkan samverkar samordning samordnad region regionen länsstyrelsen staten myndigheter
försäkringskassan arbetsförmedlingen polisen hälso sjukvård psykiatri missbruk beroende
våld våldet trygghet tryggheten brott brottsförebyggande folkhälsa jämställdhet integration
nyanlända språk svenska sfi kartläggning kartläggningen analys analysen statistik antal
andel procent ökning minskning jämfört föregående år året åren månad månaden kvartal
tertial delår delårsrapport årsredovisning bokslut prognos underskott överskott medel
ansvar ansvarig ansvariga tydlig tydliga tydligt behov behovet behoven risk risker riskanalys
"""

# Set expressions municipalities repeat, inserted whole so that phrase queries have matches.
EXPRESSIONS = [
    "ekonomiskt bistånd", "förslag till beslut", "samordnad individuell plan",
    "lägga informationen till handlingarna", "kommunstyrelsen beslutar", "i enlighet med",
    "med anledning av", "socialnämndens arbete", "arbetsmarknadsnämnden beslutar",
    "långvarigt försörjningsstöd", "intern kontroll", "god ekonomisk hushållning",
    "barnets bästa", "allmän handling", "enligt socialtjänstlagen", "ärendet har beretts",
    "ekonomiska konsekvenser", "revisorernas bedömning", "verksamhetsplan och budget",
    "uppföljning av verksamheten", "personer med funktionsnedsättning", "äldre personer",
    "vård och omsorg", "trygghet och studiero", "hållbar utveckling", "bygglov för nybyggnad",
]  # fmt: skip

# Topics: each document leans on two of them, so words cluster the way real subjects do.
TOPICS = [
    "försörjningsstöd försörjningsstödet biståndshandläggare biståndsbeslut hushåll hushållen"
    " arbetslöshet långvarigt sjukskrivna försörjning utbetalning utbetalningar",
    "arbetsmarknadsinsatser arbetsmarknadsenheten praktik praktikplats anställning anställningar"
    " sysselsättning arbetsförmågebedömning arbetsträning jobbcoach",
    "revisionsrapport revisorerna granskningen rekommendationer iakttagelser bedömning"
    " bedömningar internkontroll styrning kontroll",
    "skolan eleverna studiero trygghet kränkande behandling rektor rektorer måluppfyllelse"
    " betyg undervisningen",
    "äldreomsorgen hemtjänsten särskilt boende omsorgstagare biståndsbedömning"
    " hemtjänstinsatser demens anhöriga",
    "bygglov bygglovet detaljplanen detaljplaner fastigheten fastighetsägare strandskydd"
    " planbeskedet exploatering",
    "avfall avfallshantering återvinning vatten avloppet dagvatten skyfall skyfallshantering"
    " klimatanpassning översvämning",
    "upphandlingen upphandlingar ramavtal leverantören avtalstrohet inköpen direktupphandling"
    " anbud anbuden",
    "informationssäkerhet dataskydd personuppgifter personuppgiftsbiträde incidenter"
    " säkerhetsskydd behörigheter",
    "barnen barnets vårdnadshavare orosanmälningar orosanmälan placering placeringar"
    " familjehem utredningar",
    "missbruk beroendevård behandlingen öppenvården substansbruk alkohol narkotika samsjuklighet",
    "budgeten underskottet prognosen årsprognos kostnadsutveckling besparingar"
    " effektiviseringar resursfördelning",
    "bostäder bostadsförsörjning hyresgäster hemlöshet bostadssociala lägenheter"
    " andrahandskontrakt",
    "integration nyanlända etablering sfi språkstöd tolk tolkar mottagande",
    "folkhälsa folkhälsoarbetet föreningar föreningsbidrag fritidsgårdar idrott kultur"
    " kulturskolan bibliotek",
    "trafiken trafiksäkerhet gång cykel kollektivtrafik parkering gatubelysning vinterväghållning",
    "digitalisering e-tjänster systemstöd verksamhetssystem automatisering"
    " digitala ärendehantering",
    "våld våld i nära relationer skyddat boende hedersrelaterat våldsutsatta"
    " brottsförebyggande polisen",
    "personalen medarbetarna sjukfrånvaro arbetsmiljö rekrytering kompetensförsörjning"
    " bemanning chefer",
    "jäv mutor förtroendevalda representation gåvor oegentligheter visselblåsare",
]

TITLE_HEADS = {
    "tjänsteskrivelse": "Tjänsteskrivelse",
    "yttrande": "Yttrande över",
    "svar på revisionsrapport": "Svar på revisionsrapport om",
    "verksamhetsuppföljning": "Verksamhetsuppföljning",
    "protokoll": "Protokoll, sammanträde om",
    "protokollsutdrag": "Protokollsutdrag",
    "revisionsrapport": "Granskning av",
    "annat": "Information om",
}

WORDS_PER_PAGE = 450
_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")


@dataclass
class Vocabulary:
    words: list[str]
    cum_weights: list[float]
    source: str


def build_vocabulary() -> Vocabulary:
    """Word frequencies of real municipal text (../shared) when present, else built in."""
    counts: Counter[str] = Counter()
    if (SHARED / "seeds").is_dir():
        files = sorted(SHARED.glob("seeds/*.txt")) + sorted(SHARED.glob("corpus/**/*.txt"))
        files += sorted(SHARED.glob("corpus/**/*.md"))
        files = [f for f in files if "/lang/" not in str(f)]
        for path in files:
            text = path.read_text("utf-8", errors="replace")
            counts.update(w.lower() for w in _WORD_RE.findall(text) if len(w) > 1)
        source = f"../shared ({len(files)} files, {len(counts)} distinct words)"
    else:
        # Zipf-like weights by position in the built-in list.
        for rank, word in enumerate(BUILTIN_TEXT.split()):
            counts[word] += 1000.0 / (rank + 10)
        source = f"built-in list ({len(counts)} words)"
    words = sorted(counts)
    total, cum = 0.0, []
    for word in words:
        total += counts[word]
        cum.append(total)
    return Vocabulary(words, cum, source)


@dataclass
class SynthDoc:
    id: str
    title: str
    kind: str
    municipality: str
    board: str
    case_number: str
    date: str
    year: int
    source: str
    pages: list[tuple[int, str]]
    words: int


def generate(vocab: Vocabulary, count: int, start: int = 0) -> Iterator[SynthDoc]:
    """The same documents every time for the same numbers and vocabulary."""
    topics = [t.split() for t in TOPICS]
    muni_weights = [1.0 / (i + 3) for i in range(len(MUNICIPALITIES))]
    for i in range(start, count):
        rng = random.Random(SEED * 1_000_003 + i)
        length = int(min(5000, max(150, rng.lognormvariate(math.log(500), 0.7))))
        mine = rng.sample(range(len(topics)), 2)
        n_topic = max(4, length // 12)
        n_expr = max(1, length // 80)
        units = rng.choices(vocab.words, cum_weights=vocab.cum_weights, k=length - n_topic)
        units += rng.choices(topics[mine[0]] + topics[mine[1]], k=n_topic)
        units += rng.choices(EXPRESSIONS, k=n_expr)
        rng.shuffle(units)
        pages = _paginate(units, rng)
        year = rng.randint(2010, 2025)
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        kind = rng.choice(KINDS)
        board, series = rng.choice(BOARDS)
        subject = " ".join(rng.sample(topics[mine[0]], 2))
        yield SynthDoc(
            id=f"{i:016x}",
            title=f"{TITLE_HEADS[kind]} {subject} {year}",
            kind=kind,
            municipality=rng.choices(MUNICIPALITIES, weights=muni_weights)[0],
            board=board,
            case_number=f"{series}-{year}-{rng.randint(1, 2000):05d}",
            date=date,
            year=year,
            source=f"{series.lower()}_{year}_{i}.pdf",
            pages=pages,
            words=sum(len(u.split()) for u in units),
        )


def _write_part(path: Path, start: int, stop: int) -> None:
    vocab = build_vocabulary()
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as out:
        for doc in generate(vocab, stop, start):
            out.write(json.dumps(dataclasses.asdict(doc), ensure_ascii=False) + "\n")
    partial.replace(path)


def write_corpus(folder: Path, count: int) -> list[Path]:
    """The corpus as JSON lines, made once for every engine on every core.

    Making the text costs about as much CPU a word as diarium's analysis, so an engine timed
    while generating its input would be timed for both; each engine reads these files
    instead (json.loads of a line is some 0.05 µs a word). Files already written for the
    same count (a --keep folder) are read again, not written again."""
    cores = os.cpu_count() or 1
    bounds = [count * n // cores for n in range(cores + 1)]
    parts = [folder / f"corpus-{count}-{n}-of-{cores}.jsonl" for n in range(cores)]
    with ProcessPoolExecutor(cores) as pool:
        jobs = [
            pool.submit(_write_part, parts[n], bounds[n], bounds[n + 1])
            for n in range(cores)
            if not parts[n].exists()
        ]
        for job in jobs:
            job.result()
    return parts


def read_corpus(parts: list[Path]) -> Iterator[SynthDoc]:
    for part in parts:
        with part.open(encoding="utf-8") as lines:
            for line in lines:
                doc = SynthDoc(**json.loads(line))
                doc.pages = [(n, text) for n, text in doc.pages]
                yield doc


def _paginate(units: list[str], rng: random.Random) -> list[tuple[int, str]]:
    pages: list[tuple[int, str]] = []
    sentences: list[str] = []
    page_words = 0
    i = 0
    while i < len(units):
        n = rng.randint(6, 18)
        words = units[i : i + n]
        i += n
        sentences.append(words[0].capitalize() + " " + " ".join(words[1:]) + ".")
        page_words += n
        if page_words >= WORDS_PER_PAGE or i >= len(units):
            paragraphs = [" ".join(sentences[j : j + 5]) for j in range(0, len(sentences), 5)]
            pages.append((len(pages) + 1, "\n\n".join(paragraphs)))
            sentences, page_words = [], 0
    return pages


@dataclass
class QuerySpec:
    label: str  # single, two, phrase, municipality, year, both
    words: list[str]
    phrase: str | None = None
    municipality: str | None = None
    years: tuple[int, int] | None = None


def build_queries() -> list[QuerySpec]:
    """220 fixed queries over the topic words, expressions, municipalities and years."""
    rng = random.Random(SEED)
    topics = [t.split() for t in TOPICS]
    topics = [[w for w in t if "-" not in w and len(w) > 2] for t in topics]
    flat = sorted({w for t in topics for w in t})
    queries: list[QuerySpec] = []
    for _ in range(50):
        queries.append(QuerySpec("single", [rng.choice(flat)]))
    for _ in range(50):
        topic = rng.choice(topics)
        queries.append(QuerySpec("two", rng.sample(topic, 2)))
    for _ in range(40):
        queries.append(QuerySpec("phrase", [], phrase=rng.choice(EXPRESSIONS)))
    for _ in range(30):
        queries.append(
            QuerySpec("municipality", [rng.choice(flat)], municipality=rng.choice(MUNICIPALITIES))
        )
    for _ in range(30):
        low = rng.randint(2010, 2023)
        queries.append(QuerySpec("year", [rng.choice(flat)], years=(low, low + rng.randint(0, 2))))
    for _ in range(20):
        topic = rng.choice(topics)
        low = rng.randint(2010, 2022)
        queries.append(
            QuerySpec(
                "both",
                rng.sample(topic, 2),
                municipality=rng.choice(MUNICIPALITIES[:12]),
                years=(low, low + 3),
            )
        )
    return queries


# -- engines (each runs in its own process) --------------------------------------------------


class Engine:
    name = ""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def index(self, docs: Iterator[SynthDoc], count: int) -> None:
        raise NotImplementedError

    def open(self) -> None:
        raise NotImplementedError

    def search(self, q: QuerySpec) -> tuple[int, list[str]]:
        """(total matching documents, snippets of the top 10)."""
        raise NotImplementedError


class WhooshEngine(Engine):
    name = "diarium-whoosh"
    engine = "whoosh"

    def index(self, docs: Iterator[SynthDoc], count: int) -> None:
        from indexer import Index, IndexDoc

        def index_docs() -> Iterator[IndexDoc]:
            for d in docs:
                yield IndexDoc(
                    id=d.id,
                    title=d.title,
                    kind=d.kind,
                    municipality=d.municipality,
                    board=d.board,
                    case_number=d.case_number,
                    date=d.date,
                    year=d.year,
                    source=d.source,
                    pages=d.pages,
                )

        Index(self.folder, engine=self.engine).rebuild(index_docs(), total=count)

    def open(self) -> None:
        from indexer import Index

        self.ix = Index(self.folder, engine=self.engine)

    def search(self, q: QuerySpec, facets: bool = False) -> tuple[int, list[str]]:
        text = f'"{q.phrase}"' if q.phrase else " ".join(q.words)
        result = self.ix.search(
            text,
            municipalities=[q.municipality] if q.municipality else (),
            year=f"{q.years[0]}..{q.years[1]}" if q.years else None,
            limit=10,
            facets=facets,
        )
        return result.total, [h.marked_snippet() for h in result.hits]


class DiariumTantivyEngine(WhooshEngine):
    name = "diarium-tantivy"
    engine = "tantivy"


class Fts5Engine(Engine):
    """SQLite FTS5, unicode61 without diacritic removal; no Swedish stemmer exists for it."""

    name = "fts5"

    def index(self, docs: Iterator[SynthDoc], count: int) -> None:
        db = sqlite3.connect(self.folder / "fts.db")
        db.executescript(
            """
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE VIRTUAL TABLE doc USING fts5(title, body,
                tokenize = "unicode61 remove_diacritics 0");
            CREATE TABLE meta(rowid INTEGER PRIMARY KEY, municipality TEXT, year INTEGER);
            """
        )
        with db:
            for rowid, d in enumerate(docs, start=1):
                body = "\n\n".join(t for _, t in d.pages)
                db.execute(
                    "INSERT INTO doc(rowid, title, body) VALUES (?,?,?)", (rowid, d.title, body)
                )
                db.execute("INSERT INTO meta VALUES (?,?,?)", (rowid, d.municipality, d.year))
        db.execute("INSERT INTO doc(doc) VALUES ('optimize')")
        db.commit()
        db.close()

    def open(self) -> None:
        self.db = sqlite3.connect(self.folder / "fts.db")

    def search(self, q: QuerySpec) -> tuple[int, list[str]]:
        match = f'"{q.phrase}"' if q.phrase else " ".join(f'"{w}"' for w in q.words)
        where, params = ["doc MATCH ?"], [match]
        if q.municipality:
            where.append("meta.municipality = ?")
            params.append(q.municipality)
        if q.years:
            where.append("meta.year BETWEEN ? AND ?")
            params += list(q.years)
        # CROSS JOIN keeps the full-text match as the outer loop; the filter looks rows up.
        sql_from = "FROM doc CROSS JOIN meta ON meta.rowid = doc.rowid WHERE " + " AND ".join(where)
        total = self.db.execute(f"SELECT count(*) {sql_from}", params).fetchone()[0]
        rows = self.db.execute(
            f"SELECT snippet(doc, 1, '<mark>', '</mark>', '…', 24) {sql_from} "
            "ORDER BY bm25(doc, 3.0, 1.0) LIMIT 10",
            params,
        ).fetchall()
        return total, [r[0] for r in rows]


class TantivyEngine(Engine):
    """tantivy-py with its Swedish Snowball stemmer and the same stop words."""

    name = "tantivy"

    def _schema(self) -> Any:
        import tantivy

        b = tantivy.SchemaBuilder()
        b.add_text_field("id", stored=True, tokenizer_name="raw")
        b.add_text_field("title", stored=True, tokenizer_name="sv")
        b.add_text_field("body", stored=True, tokenizer_name="sv")
        b.add_text_field("municipality", tokenizer_name="raw", fast=True)
        b.add_integer_field("year", indexed=True, fast=True)
        return b.build()

    def _register(self, index: Any) -> None:
        import tantivy

        from indexer.analysis import stop_words

        analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.custom_stopword(sorted(stop_words())))
            .filter(tantivy.Filter.stemmer("swedish"))
            .build()
        )
        index.register_tokenizer("sv", analyzer)

    def index(self, docs: Iterator[SynthDoc], count: int) -> None:
        import tantivy

        index = tantivy.Index(self._schema(), path=str(self.folder))
        self._register(index)
        writer = index.writer(heap_size=256_000_000, num_threads=2)
        for d in docs:
            writer.add_document(
                tantivy.Document(
                    id=d.id,
                    title=d.title,
                    body="\n\n".join(t for _, t in d.pages),
                    municipality=d.municipality,
                    year=d.year,
                )
            )
        writer.commit()
        writer.wait_merging_threads()

    def open(self) -> None:
        import tantivy

        self.tv = tantivy
        self.index_ = tantivy.Index.open(str(self.folder))
        self._register(self.index_)
        self.schema = self.index_.schema
        self.searcher = self.index_.searcher()

    def search(self, q: QuerySpec) -> tuple[int, list[str]]:
        tv = self.tv
        text = f'"{q.phrase}"' if q.phrase else " ".join(q.words)
        query = self.index_.parse_query(
            text, ["title", "body"], field_boosts={"title": 3.0}, conjunction_by_default=True
        )
        parts = [(tv.Occur.Must, query)]
        if q.municipality:
            term = tv.Query.term_query(self.schema, "municipality", q.municipality)
            parts.append((tv.Occur.Must, tv.Query.const_score_query(term, 0.0)))
        if q.years:
            years = tv.Query.range_query(
                self.schema, "year", tv.FieldType.Integer, q.years[0], q.years[1]
            )
            parts.append((tv.Occur.Must, tv.Query.const_score_query(years, 0.0)))
        full = tv.Query.boolean_query(parts)
        result = self.searcher.search(full, 10, count=True)
        snippets = tv.SnippetGenerator.create(self.searcher, full, self.schema, "body")
        out = []
        for _score, address in result.hits:
            out.append(snippets.snippet_from_doc(self.searcher.doc(address)).to_html())
        return result.count, out


ENGINES: dict[str, type[Engine]] = {
    e.name: e for e in (WhooshEngine, DiariumTantivyEngine, TantivyEngine, Fts5Engine)
}


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _resident_now() -> dict[str, float]:
    """Resident memory now, split into the process's own and mapped files (Linux only)."""
    status = Path("/proc/self/status")
    if not status.exists():
        return {}
    fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
    return {
        key: round(int(fields[name].split()[0]) / 1024, 1)
        for key, name in (("rss_anon_mb", "RssAnon"), ("rss_file_mb", "RssFile"))
        if name in fields
    }


def _peak_mb() -> float:
    """Peak resident memory of this process plus its largest child (Linux: ru_maxrss in KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + child) / 1024


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants now (Linux /proc)."""
    total, pending = 0, [pid]
    while pending:
        at = pending.pop()
        try:
            status = Path(f"/proc/{at}/status").read_text()
            total += int(status.split("VmRSS:", 1)[1].split()[0])
            for task in Path(f"/proc/{at}/task").iterdir():
                pending += map(int, (task / "children").read_text().split())
        except (OSError, IndexError, ValueError):
            continue
    return total / 1024


class TreePeak:
    """The highest summed resident memory of this process and its workers (a rebuild's
    analysis processes), sampled ten times a second: ru_maxrss knows only the largest child."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, _tree_rss_mb(os.getpid()))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return round(max(self.peak, _tree_rss_mb(os.getpid())), 1)


def run_worker(engine_name: str, count: int, folder: Path, corpus: list[Path]) -> dict[str, Any]:
    """Index and query with one engine; runs in a fresh process."""
    queries = build_queries()
    engine = ENGINES[engine_name](folder)
    words = 0

    def counted() -> Iterator[SynthDoc]:
        nonlocal words
        for doc in read_corpus(corpus):
            words += doc.words
            yield doc

    tree = TreePeak()
    started = time.perf_counter()
    engine.index(counted(), count)
    index_s = time.perf_counter() - started
    peak_index = _peak_mb()
    peak_tree = tree.stop()
    engine.open()
    passes = []
    totals = 0
    for _ in range(2):
        latencies = []
        for q in queries:
            t0 = time.perf_counter()
            total, snippets = engine.search(q)
            latencies.append((time.perf_counter() - t0) * 1000)
            totals += total
        passes.append(latencies)
    out: dict[str, Any] = {
        "engine": engine_name,
        "docs": count,
        "words": words,
        "index_s": round(index_s, 1),
        "words_per_s": round(words / index_s),
        "size_mb": round(_dir_size(folder) / 2**20, 1),
        "peak_index_mb": round(peak_index, 1),
        "peak_index_all_mb": peak_tree,
        "queries": len(queries),
        "sum_totals": totals // 2,
    }
    for i, latencies in enumerate(passes, start=1):
        out[f"p50_ms_pass{i}"] = round(statistics.median(latencies), 2)
        out[f"p95_ms_pass{i}"] = round(_p95(latencies), 2)
    by_label: dict[str, list[float]] = {}
    for q, ms in zip(queries, passes[1], strict=True):
        by_label.setdefault(q.label, []).append(ms)
    out["p95_by_kind_pass2"] = {k: round(_p95(v), 1) for k, v in by_label.items()}
    if isinstance(engine, WhooshEngine):
        facet_ms = []
        for q in queries:
            t0 = time.perf_counter()
            engine.search(q, facets=True)
            facet_ms.append((time.perf_counter() - t0) * 1000)
        out["p50_ms_facets"] = round(statistics.median(facet_ms), 2)
        out["p95_ms_facets"] = round(_p95(facet_ms), 2)
    out["peak_mb"] = round(_peak_mb(), 1)
    out |= _resident_now()
    return out


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--keep", type=Path, help="Build the indexes here and keep them.")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_worker(args.worker, args.docs, args.folder, args.corpus)))
        return
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-search-"))
    print(f"corpus: {args.docs} documents; vocabulary: {build_vocabulary().source}", flush=True)
    print(f"queries: {len(build_queries())}; machine: {os.cpu_count()} cores", flush=True)
    results = []
    try:
        base.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        corpus = write_corpus(base, args.docs)
        print(f"corpus written in {time.perf_counter() - started:.0f} s "
              "(not part of any engine's index time)", flush=True)  # fmt: skip
        for name in args.engines.split(","):
            folder = base / name
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            proc = subprocess.run(
                [sys.executable, "-m", "tests.benchmarks.bench_search", "--worker", name,
                 "--docs", str(args.docs), "--folder", str(folder),
                 "--corpus", *map(str, corpus)],
                cwd=REPO, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if proc.returncode:
                sys.exit(f"{name} failed:\n{proc.stderr}")
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            print(json.dumps(results[-1]), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    _report(results)


def _report(results: list[dict[str, Any]]) -> None:
    keys = [
        ("words_per_s", "words/s indexed"),
        ("index_s", "index time (s)"),
        ("size_mb", "index size (MB)"),
        ("peak_index_mb", "peak RSS indexing (MB)"),
        ("peak_index_all_mb", "+ its workers (MB)"),
        ("peak_mb", "peak RSS overall (MB)"),
        ("p50_ms_pass1", "p50 ms (1st pass)"),
        ("p95_ms_pass1", "p95 ms (1st pass)"),
        ("p50_ms_pass2", "p50 ms (2nd pass)"),
        ("p95_ms_pass2", "p95 ms (2nd pass)"),
        ("sum_totals", "sum of totals"),
    ]
    names = [r["engine"] for r in results]
    print("\n" + f"{'':<22}" + "".join(f"{n:>14}" for n in names))
    for key, label in keys:
        print(f"{label:<22}" + "".join(f"{r[key]:>14}" for r in results))
    for key, label in (
        ("rss_anon_mb", "RSS own, end (MB)"),
        ("rss_file_mb", "RSS files, end (MB)"),
    ):
        print(f"{label:<22}" + "".join(f"{r.get(key, '-'):>14}" for r in results))
    for result in results:
        if "p50_ms_facets" in result:
            print(f"{result['engine']} with --facets: p50 {result['p50_ms_facets']} ms, "
                  f"p95 {result['p95_ms_facets']} ms")  # fmt: skip
        print(f"{result['engine']} p95 by query kind (2nd pass): {result['p95_by_kind_pass2']}")
    by_name = {r["engine"]: r for r in results}
    for one, other in (
        ("diarium-whoosh", "tantivy"),
        ("diarium-tantivy", "tantivy"),
        ("diarium-whoosh", "diarium-tantivy"),
    ):
        if one in by_name and other in by_name:
            a, b = by_name[one], by_name[other]
            ratios = {
                label: round(a[key] / b[key], 2) if b[key] else None for key, label in keys[:-1]
            }
            print(f"{one} / {other}: {ratios}")
    diarium = [by_name[n] for n in ("diarium-whoosh", "diarium-tantivy") if n in by_name]
    if len(diarium) == 2:
        same = diarium[0]["sum_totals"] == diarium[1]["sum_totals"]
        print(f"sum of totals, diarium-whoosh vs diarium-tantivy: "
              f"{diarium[0]['sum_totals']} vs {diarium[1]['sum_totals']} "
              f"({'the same' if same else 'DIFFERENT'})")  # fmt: skip


if __name__ == "__main__":
    main()
