"""A case number typed in a shorter form finds the stored one: the same case."""

from __future__ import annotations

from pathlib import Path

from archive import Archive
from indexer.archive_sync import index_of

LETTER = (
    "Tjänsteskrivelse\n\nDatum: 2019-05-14\nDnr: {number}\n\nSocialnämnden\n\n{title}\n\n"
    "Förslag till beslut\n\nNämnden godkänner {title_lower}.\n"
)


def _archive(tmp_path: Path) -> tuple[Archive, dict[str, str]]:
    folder = tmp_path / "in"
    folder.mkdir()
    numbers = {"BUN 19/0042": "Skolskjuts", "KS-2016/514.109": "Bredband", "KS 2016/5140": "Vägar"}
    for i, (number, title) in enumerate(numbers.items()):
        text = LETTER.format(number=number, title=title, title_lower=title.lower())
        (folder / f"doc{i}.txt").write_text(text, encoding="utf-8")
    archive = Archive(tmp_path / "arkiv")
    report = archive.ingest([folder], jobs=1)
    assert not report.failed
    return archive, {d.case_number: d.id for d in report.added}


def test_a_shorter_case_number_finds_the_same_case(tmp_path: Path) -> None:
    archive, ids = _archive(tmp_path)
    assert set(ids) == {"BUN 19/0042", "KS-2016/514.109", "KS 2016/5140"}
    index = index_of(archive)

    def found(query: str) -> set[str]:
        return {hit.id for hit in index.search(query, limit=10).hits}

    assert found("BUN 19/42") == {ids["BUN 19/0042"]}
    assert found('case:"BUN 19/42"') == {ids["BUN 19/0042"]}
    assert found("KS 2016/514") == {ids["KS-2016/514.109"]}
    assert found('case:"KS-2016-514"') == {ids["KS-2016/514.109"]}
    # Not a prefix of the digits: 2016/51 is another case than 2016/514 or 2016/5140.
    assert found('case:"KS 2016/51"') == set()
