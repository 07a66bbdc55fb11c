"""Searching real archives: the index's answers against a plain scan of the archive.

Every test runs on the documents diarium generates itself and, where ../shared is beside the
checkout, on the real seeds and corpus texts.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from archive import Archive
from archive.names import fold
from indexer import Index, IndexDoc, SearchResult, analysis
from indexer.archive_sync import index_doc, rebuild_from_archive
from indexer.facets import UNKNOWN
from indexer.synonyms import load_synonyms
from tests.indexer_helpers import Oracle, generated_archive, shared_archive

# The contract suite: every test here runs on each search engine (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("search_engine")

ALL = 1000  # a limit above any archive here: every match on one page


@pytest.fixture(scope="module", params=["generated", "shared"])
def archive(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, search_engine: str
) -> Archive:
    root = tmp_path_factory.mktemp(f"{request.param}-{search_engine}")  # indexed by that engine
    if request.param == "generated":
        return generated_archive(root)
    return shared_archive(root, request.getfixturevalue("shared_dir"))


@pytest.fixture(scope="module")
def oracle(archive: Archive) -> Oracle:
    return Oracle.of(archive)


@pytest.fixture(scope="module")
def index(archive: Archive) -> Index:
    """The words as typed: issue 6's compound parts, folding, synonyms and respelling widen a
    match on purpose (tests/test_search_language.py), so the plain scan is compared without."""
    return Index(archive.index_dir, features=frozenset())


def ids(result: SearchResult) -> set[str]:
    return {hit.id for hit in result.hits}


def search(index: Index, query: str, **options: object) -> SearchResult:
    result = index.search(query, limit=ALL, **options)  # type: ignore[arg-type]
    assert result.total == len(result.hits)
    return result


def test_inflected_forms_find_each_other(index: Index, oracle: Oracle, archive: Archive) -> None:
    pairs = [("försörjningsstödet", "försörjningsstöd"), ("nämnden", "nämnd")]
    pairs.append(("bedömningar", "bedömning"))
    for one, other in pairs:
        holding = {
            d
            for d in oracle.docs
            if any(
                re.search(rf"\b({one}|{other})\b", text, re.IGNORECASE)
                for _, text in _texts(archive, d)
            )
        }
        assert holding, f"no document holds {one} or {other}"
        assert holding <= ids(search(index, one))
        assert holding <= ids(search(index, other))


def _texts(archive: Archive, doc_id: str) -> list[tuple[int, str]]:
    return [(p.number, p.text) for p in archive.pages(doc_id)]


def test_a_word_finds_exactly_the_documents_holding_it(index: Index, oracle: Oracle) -> None:
    for word in oracle.common_words(40):
        result = search(index, word)
        assert ids(result) == oracle.having(word), word
        assert [h.score for h in result.hits] == sorted(
            (h.score for h in result.hits), reverse=True
        )


def test_boolean_queries(index: Index, oracle: Oracle) -> None:
    a, b, c = oracle.common_words(12)[3::4]
    A, B, C = oracle.having(a), oracle.having(b), oracle.having(c)
    assert ids(search(index, f"{a} {b}")) == A & B
    assert ids(search(index, f"{a} AND {b}")) == A & B
    assert ids(search(index, f"{a} OR {b}")) == A | B
    assert ids(search(index, f"{a} -{b}")) == A - B
    assert ids(search(index, f"{a} NOT {b}")) == A - B
    assert ids(search(index, f"({a} OR {b}) {c}")) == (A | B) & C
    assert ids(search(index, f"-{a}")) == set(oracle.docs) - A
    assert len(A | B) > len(A & B), "the terms picked should tell OR from AND apart"


def test_phrases_match_words_next_to_each_other_in_order(index: Index, oracle: Oracle) -> None:
    phrases = ["ekonomiskt bistånd", "förslag till beslut", "samordnad individuell plan"]
    checked = 0
    for phrase in phrases:
        expected = oracle.phrase(phrase)
        if not expected:
            continue
        checked += 1
        assert ids(search(index, f'"{phrase}"')) == expected
        backwards = " ".join(reversed(phrase.split()))
        assert ids(search(index, f'"{backwards}"')) == oracle.phrase(backwards)
        assert expected <= ids(search(index, phrase))  # the same words anywhere
    assert checked >= 2


def test_phrases_inside_boolean_queries(index: Index, oracle: Oracle) -> None:
    # Word order is checked only where the rest of the query leaves it open (two-phase
    # matching): each shape must still give exactly what a scan gives.
    phrase = next(p for p in ("ekonomiskt bistånd", "förslag till beslut") if oracle.phrase(p))
    P = oracle.phrase(phrase)
    a, b = (w for w in oracle.common_words(12)[2::5] if oracle.having(w) != P)
    A, B = oracle.having(a), oracle.having(b)
    assert ids(search(index, f'"{phrase}" {a}')) == P & A
    assert ids(search(index, f'{a} -"{phrase}"')) == A - P
    assert ids(search(index, f'"{phrase}" OR {a}')) == P | A
    assert ids(search(index, f'({a} OR "{phrase}") {b}')) == (A | P) & B
    assert ids(search(index, f'-"{phrase}"')) == set(oracle.docs) - P
    assert P & A and A - P, "the words picked should overlap the phrase's documents in part"


def test_a_synonym_phrase_adds_exactly_its_documents(archive: Archive, oracle: Oracle) -> None:
    index = Index(archive.index_dir, features=frozenset({"synonyms"}), synonyms=load_synonyms())
    (match,) = load_synonyms().find(["försörjningsstöd"])
    expected = oracle.having("försörjningsstöd").union(*map(oracle.phrase, match.alternatives))
    assert "ekonomiskt bistånd" in match.alternatives
    assert oracle.phrase("ekonomiskt bistånd") - oracle.having("försörjningsstöd")
    assert ids(search(index, "försörjningsstöd")) == expected
    town = Counter(oracle.docs[d].municipality for d in expected).most_common()[0][0]
    found = search(index, "försörjningsstöd", municipalities=[town])
    assert ids(found) == expected & oracle.where(municipality=town)


def test_each_filter_excludes_what_it_should(index: Index, oracle: Oracle) -> None:
    word = oracle.common_words(1)[0]
    having = oracle.having(word)
    municipalities = Counter(
        oracle.docs[d].municipality for d in having if oracle.docs[d].municipality
    )
    town = municipalities.most_common()[-1][0]
    assert ids(search(index, word, municipalities=[town])) == having & oracle.where(
        municipality=town
    )
    assert ids(search(index, f"{word} municipality:{town.lower()}")) == having & oracle.where(
        municipality=town
    )
    two = [name for name, _ in municipalities.most_common(2)]
    either = oracle.where(municipality=two[0]) | oracle.where(municipality=two[-1])
    assert ids(search(index, word, municipalities=two)) == having & either

    kind = Counter(oracle.docs[d].kind for d in having).most_common()[-1][0]
    assert ids(search(index, word, kind=kind)) == having & oracle.where(kind=kind)

    years = sorted({oracle.docs[d].year for d in having if oracle.docs[d].year})
    low, high = years[0], years[len(years) // 2]
    in_range = {d for d in having if oracle.docs[d].year and low <= oracle.docs[d].year <= high}
    assert ids(search(index, word, year=f"{low}..{high}")) == in_range
    assert ids(search(index, f"{word} year:{low}..{high}")) == in_range
    assert ids(search(index, word, year=low)) == having & oracle.where(year=low)

    dated = sorted(oracle.docs[d].date for d in having if oracle.docs[d].date)
    start, end = dated[0], dated[len(dated) // 2]
    between = {d for d in having if oracle.docs[d].date and start <= oracle.docs[d].date <= end}
    assert ids(search(index, word, date_from=start, date_to=end)) == between
    assert ids(search(index, f"{word} date:{start}..{end}")) == between

    boards = Counter(oracle.docs[d].board for d in having if oracle.docs[d].board)
    board = boards.most_common()[0][0]
    assert ids(search(index, word, board=board)) == having & oracle.where(board=board)


def test_case_numbers_match_whole_with_any_separators(index: Index, oracle: Oracle) -> None:
    numbered = [doc.case_number for doc in oracle.docs.values() if doc.case_number]
    assert numbered
    for number in numbered:
        groups = re.findall(r"[^\W\d_]+|\d+", number)
        letters = [g.upper() for g in groups if not g.isdigit()]
        digits = [g.lstrip("0") or "0" for g in groups if g.isdigit()]
        retyped = " ".join(letters + ["-".join(digits)])  # "KS-2023-00730" -> "KS 2023-730"
        expected = oracle.with_case(number)
        assert expected <= ids(search(index, retyped)), retyped
        assert ids(search(index, f'case:"{retyped}"')) == expected


def test_snippets_mark_the_matched_words_on_the_page_that_has_them(
    index: Index, oracle: Oracle
) -> None:
    for word in oracle.common_words(15):
        (term,) = analysis.analyze(word)
        for hit in index.search(word, limit=5).hits:
            pages = dict(oracle.page_terms[hit.id])
            if not any(term in page for page in pages.values()):
                continue  # found through its title or metadata only
            assert hit.highlights, (word, hit.id)
            assert term in pages[hit.page], (word, hit.id, hit.page)
            marked = [hit.snippet[s:e] for s, e in hit.highlights]
            assert all(analysis.analyze(w) == [term] for w in marked), (word, marked)
            assert len(hit.snippet) <= 200 and "\n" not in hit.snippet
            assert hit.to_dict()["snippet"].count("<mark>") == len(marked)


def test_facets_count_each_matching_document_once(index: Index, oracle: Oracle) -> None:
    for word in oracle.common_words(20)[::5]:
        result = index.search(word, limit=ALL, facets=True)
        hits = result.hits
        # Documents without a value are counted too, as "okänd kommun" / "okänd nämnd" / "okänt år".
        places = Counter(h.municipality or "okänd kommun" for h in hits)
        boards = Counter(h.board or "okänd nämnd" for h in hits)
        years = Counter(str(h.year) if h.year else "okänt år" for h in hits)
        assert result.facets["municipality"] == dict(places)
        assert result.facets["board"] == dict(boards)
        assert result.facets["kind"] == dict(Counter(h.kind for h in hits if h.kind))
        assert result.facets["year"] == dict(years)
        assert sum(result.facets["kind"].values()) == result.total == len(oracle.having(word))


# Two real letters refiled under boards whose names hold another board's words, beside that
# board's own documents: seed 000 headed by Utbildningsnämnden instead of Kultur- och
# utbildningsnämnden, seed 001 by Socialnämndens arbetsutskott instead of Socialnämnden.
NEIGHBOURS = {
    "000_07ab3b7abad0b89f.txt": ("Kultur- och utbildningsnämnden", "Utbildningsnämnden"),
    "001_9ac84fee95ffe6b8.txt": ("Socialnämnden", "Socialnämndens arbetsutskott"),
}


@pytest.fixture(scope="module")
def neighbours(
    tmp_path_factory: pytest.TempPathFactory, search_engine: str, shared_dir: Path
) -> Archive:
    """The real documents with the NEIGHBOURS beside them, indexed by the engine."""
    root = tmp_path_factory.mktemp(f"neighbours-{search_engine}")
    archive = shared_archive(root, shared_dir)
    for name, (board, neighbour) in NEIGHBOURS.items():
        text = (shared_dir / "seeds" / name).read_text("utf-8")
        assert f"\n{board}\n" in text
        letter = root / f"{neighbour}.txt"
        letter.write_text(text.replace(f"\n{board}\n", f"\n{neighbour}\n", 1), "utf-8")
        assert archive.ingest([letter], overrides={"board": neighbour}, jobs=1).added
    rebuild_from_archive(archive)
    return archive


def test_a_board_filter_finds_exactly_what_its_facet_counted(neighbours: Archive) -> None:
    """Choosing "Socialnämnden (1)" finds that one document, not also its arbetsutskott's,
    whose board holds the same word: the filter is the facet's value, `board:` in a query
    the board's words."""
    index = Index(neighbours.index_dir, features=frozenset())
    oracle = Oracle.of(neighbours)
    words = ["försörjningsstöd", *oracle.common_words(20)[::5]]
    assert {"Socialnämnden", "Socialnämndens arbetsutskott", "Utbildningsnämnden"} <= set(
        index.search(words[0], facets=True).facets["board"]
    )
    for word in words:
        boards = index.search(word, limit=ALL, facets=True).facets["board"]
        for board, count in boards.items():
            if board == UNKNOWN["board"]:
                continue
            found = search(index, word, board=board)
            assert found.total == count, (word, board)
            assert {hit.board for hit in found.hits} == {board}
    for board in ("Socialnämnden", "Utbildningsnämnden"):
        assert ids(search(index, "", board=board)) == oracle.where(board=board)
        # a value no document holds as written (typed into the address): case and accents off
        assert ids(search(index, "", board=fold(board))) == oracle.where(board=board)
    assert ids(search(index, "board:socialnämnden")) == oracle.where(
        board="Socialnämnden"
    ) | oracle.where(board="Socialnämndens arbetsutskott")


def test_pages_and_date_order(index: Index, oracle: Oracle) -> None:
    word = oracle.common_words(1)[0]
    first, second = index.search(word, limit=3), index.search(word, limit=3, page=2)
    everything = index.search(word, limit=6)
    assert [h.id for h in everything.hits] == [h.id for h in first.hits + second.hits]
    assert first.total == second.total
    newest = index.search(word, limit=ALL, sort="date")
    dates = [h.date or f"{h.year or 0}" for h in newest.hits]
    assert dates == sorted(dates, reverse=True)
    town = next(doc.municipality for doc in oracle.docs.values() if doc.municipality)
    only_filters = index.search("", municipalities=[town])
    assert only_filters.total == len(oracle.where(municipality=town))


def test_rebuild_equals_incremental_indexing(
    archive: Archive, index: Index, oracle: Oracle, tmp_path: Path, search_engine: str
) -> None:
    docs = [index_doc(archive, d) for d in sorted(oracle.docs)]
    incremental = Index(tmp_path / "incremental")
    incremental.rebuild([docs[0]])  # an index must exist before documents are added to it
    for doc in docs[1:]:
        incremental.add([doc])
    queries = [*oracle.common_words(10), '"ekonomiskt bistånd"', "försörjningsstöd -nämnd"]
    rebuilt = Index(archive.index_dir)  # with all of issue 6's features, as incremental has

    def compare(exact: bool) -> None:
        for query in queries:
            one, other = incremental.search(query, limit=ALL), rebuilt.search(query, limit=ALL)
            if exact:
                assert [(h.id, h.score, h.page, h.snippet) for h in one.hits] == [
                    (h.id, h.score, h.page, h.snippet) for h in other.hits
                ], query
                continue
            assert sorted((h.id, h.page, h.snippet) for h in one.hits) == sorted(
                (h.id, h.page, h.snippet) for h in other.hits
            ), query

    compare(exact=True)  # one commit per document: many segments, the same answers
    incremental.remove([docs[1].id])
    incremental.add([docs[1]])
    assert incremental.ids() == index.ids() == set(oracle.docs)
    # Whoosh's impacts have fixed pivots: nothing depends on the rest of the index. tantivy's
    # BM25 counts a deleted document in its statistics until its segment is merged away (no
    # merge can be asked for through tantivy-py): the same documents, pages and snippets, but
    # scores (and so the order) moved by that one document's share of the statistics.
    compare(exact=search_engine == "whoosh")


def test_the_snippet_names_the_page_with_the_words(tmp_path: Path, archive: Archive) -> None:
    texts = [p.text for d in sorted(archive.ids()) for p in archive.pages(d)]
    phrase = "ekonomiskt bistånd"
    holding = [t for t in texts if re.search(phrase, t, re.IGNORECASE)]
    lacking = [t for t in texts if not re.search("bistånd", t, re.IGNORECASE)]
    pages = [(n, text) for n, text in enumerate([*lacking[:3], holding[0], *lacking[3:5]], start=1)]
    index = Index(tmp_path / "index")
    index.rebuild([IndexDoc(id="x", title="Sidor", pages=pages)])
    (hit,) = index.search(f'"{phrase}"').hits
    assert hit.page == 4 and "bistånd" in hit.snippet.lower()


def test_snippets_mark_words_in_capitals_at_their_places(tmp_path: Path, archive: Archive) -> None:
    # Words are found in the page lower-cased; İ is the one letter that lowers to two
    # characters, so one before each word would shift its mark if places were not kept.
    texts = [p.text for d in sorted(archive.ids()) for p in archive.pages(d)]
    page = next(t for t in texts if re.search(r"\bbistånd\b", t, re.IGNORECASE))
    shouted = re.sub(r"(?i)\bbistånd", "İ BISTÅND", page.upper())
    index = Index(tmp_path / "index")
    index.rebuild([IndexDoc(id="x", title="Versaler", pages=[(1, shouted)])])
    (hit,) = index.search("bistånd").hits
    marked = [hit.snippet[s:e] for s, e in hit.highlights]
    assert marked and all(analysis.analyze(w) == analysis.analyze("bistånd") for w in marked)
    assert all(w.isupper() for w in marked), marked
