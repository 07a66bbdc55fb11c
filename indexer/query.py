"""Query language: words (all must match), "phrases", OR, -word / NOT, (groups), field:value.

Parsed into a small engine-free tree so that the index behind it can change and so that issue 6
can expand a query (synonyms, compounds, spelling) by rewriting the tree. Whoosh's own QueryParser
is not used: it never rejects input (a stray quote or unknown field silently becomes words), it
has no `a..b` ranges, and its output is Whoosh query objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from archive import messages as msg
from indexer.errors import QueryError

# Field names a query may use, with what the value is.
FIELDS: dict[str, str] = {
    "municipality": "kommunens namn, t.ex. municipality:Uppsala",
    "kind": 'dokumenttyp, t.ex. kind:yttrande eller kind:"svar på revisionsrapport"',
    "board": "nämnd, t.ex. board:socialnämnden",
    "department": "förvaltning",
    "officer": 'handläggare, t.ex. officer:"Emma Wallin"',
    "case": "diarienummer, med vilka skiljetecken som helst, t.ex. case:KS-2023-730",
    "source": "filnamnet dokumentet kom från",
    "title": "ord i rubriken",
    "year": "ett år eller intervall, t.ex. year:2021..2023, year:..2020",
    "date": "ett datum eller intervall, t.ex. date:2023-01-01..2023-06-30, date:2023-05",
}
RANGE_FIELDS = ("year", "date")

OPERATORS = ("AND", "OR", "NOT")


@dataclass(frozen=True)
class Text:
    """Words as typed; a phrase when quoted (their order and adjacency then matter)."""

    text: str
    phrase: bool = False


@dataclass(frozen=True)
class CaseNumber:
    """A case number typed in free text ("KS 2023-730"): matches the case field or the words."""

    text: str


@dataclass(frozen=True)
class FieldMatch:
    field: str
    value: str


@dataclass(frozen=True)
class Range:
    """An inclusive range on year (ints as text) or date (YYYY, YYYY-MM or YYYY-MM-DD)."""

    field: str
    low: str | None
    high: str | None


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


Node = Text | CaseNumber | FieldMatch | Range | Not | And | Or


def case_key(text: str) -> str:
    """Canonical case number: letter groups, then digit groups without leading zeros.

    "KS-2023-00730", "KS 2023-730" and "2023/730 ks" all give "ks-2023-730"; "2021.004 KUN" gives
    "kun-2021-4". Municipalities write the same number with different separators and padding.
    """
    groups = re.findall(r"[^\W\d_]+|\d+", text.lower())
    letters = [g for g in groups if not g.isdigit()]
    digits = [g.lstrip("0") or "0" for g in groups if g.isdigit()]
    return "-".join(letters + digits)


def case_keys(text: str) -> list[str]:
    """The keys a stored case number is found by: its own, and its shorter forms.

    "KS-2016/514.109" is case "KS 2016/514" with a sub-number: a search for the shorter form
    finds it (trailing digit groups dropped while a year and a number remain). Leading zeros
    are already gone from the keys, so "BUN 19/42" finds "BUN 19/0042".
    """
    keys: list[str] = []
    for key in (case_key(text), case_digits_key(text)):
        parts = key.split("-")
        digits = sum(p.isdigit() for p in parts)
        while parts and digits >= 2:
            keys.append("-".join(parts))
            if not parts[-1].isdigit():
                break
            parts = parts[:-1]
            digits -= 1
        if key not in keys:
            keys.append(key)
    return list(dict.fromkeys(keys))


def case_digits_key(text: str) -> str:
    """The digit groups of a case number alone, so "2023-730" finds "KS-2023-00730"."""
    return "-".join(g.lstrip("0") or "0" for g in re.findall(r"\d+", text))


# A word that looks like a case number or a code: groups joined by - . / with a digit somewhere.
_CODE_RE = re.compile(r"(?=.*\d)[^\W_]+(?:[-./][^\W_]+)+")
# A series prefix typed beside it, in capitals as municipalities write them: KS, SON, AMN, KUN.
_SERIES_RE = re.compile(r"[A-ZÅÄÖ]{1,6}")
_FIELD_RE = re.compile(r"([^\W\d_]+):(.*)", re.DOTALL)
_YEAR_RE = re.compile(r"\d{4}")
_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass
class _Tok:
    kind: str  # "(", ")", "AND", "OR", "NOT", "-", "word", "phrase", "case", "field"
    text: str = ""
    field: str = ""


def parse(query: str) -> Node | None:
    """Parse a query; None when it holds nothing at all. Raises QueryError naming the problem."""
    tokens = _merge_case_numbers(_lex(query))
    if not tokens:
        return None
    parser = _Parser(tokens, query)
    node = parser.parse_or()
    if parser.pos < len(tokens):  # only a stray ")" stops parse_or early
        raise QueryError(f"')' utan motsvarande '(' i frågan {query!r}")
    return node


def _lex(query: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
        elif c in "()":
            tokens.append(_Tok(c))
            i += 1
        elif c == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QueryError(f'avslutande citattecken (") saknas i frågan {query!r}')
            tokens.append(_Tok("phrase", query[i + 1 : end]))
            i = end + 1
        elif c == "-" and i + 1 < n and not query[i + 1].isspace() and query[i + 1] not in "-)":
            tokens.append(_Tok("-"))
            i += 1
        else:
            end = i
            while end < n and not query[end].isspace() and query[end] not in '()"':
                end += 1
            word = query[i:end]
            i = end
            field = _FIELD_RE.fullmatch(word)
            if field and field.group(1).lower() in FIELDS:
                name, value = field.group(1).lower(), field.group(2)
                if not value and i < n and query[i] == '"':
                    close = query.find('"', i + 1)
                    if close < 0:
                        raise QueryError(f'avslutande citattecken (") saknas i frågan {query!r}')
                    value = query[i + 1 : close]
                    i = close + 1
                if not value.strip():
                    raise QueryError(f"'{name}:' saknar värde i frågan {query!r}")
                tokens.append(_Tok("field", value.strip(), name))
            elif field and field.group(1).isalpha() and field.group(2):
                raise QueryError(
                    f"okänt fält '{field.group(1)}:' i frågan {query!r} (fält: "
                    f"{', '.join(FIELDS)}); sätt citattecken runt för att söka efter orden"
                )
            elif word in OPERATORS:
                tokens.append(_Tok(word))
            elif word.strip("-"):
                tokens.append(_Tok("word", word))
    return tokens


def _merge_case_numbers(tokens: list[_Tok]) -> list[_Tok]:
    """Turn "KS 2023-730" / "2021.004 KUN" / "AMN-2023-00096" into one case-number token."""
    out: list[_Tok] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == "word" and _CODE_RE.fullmatch(tok.text):
            text = tok.text
            prev = out[-1] if out else None
            if prev and prev.kind == "word" and _SERIES_RE.fullmatch(prev.text):
                text = f"{out.pop().text} {text}"
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt and nxt.kind == "word" and _SERIES_RE.fullmatch(nxt.text):
                text = f"{text} {nxt.text}"
                i += 1
            out.append(_Tok("case", text))
        else:
            out.append(tok)
        i += 1
    return out


# Groups and negations nested deeper than this are refused: nobody writes them, and every walk
# over the query tree (expansion, matching, highlighting) recurses once per level.
MAX_DEPTH = 40


class _Parser:
    """Recursive descent: or := and (OR and)*; and := unary (AND? unary)*; unary := NOT* primary."""

    def __init__(self, tokens: list[_Tok], query: str) -> None:
        self.tokens = tokens
        self.query = query
        self.pos = 0
        self.depth = 0

    def _deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            shown = self.query if len(self.query) <= 60 else self.query[:60] + "…"
            raise QueryError(msg.QUERY_TOO_DEEP.format(depth=MAX_DEPTH, query=shown))

    def _peek(self) -> str | None:
        return self.tokens[self.pos].kind if self.pos < len(self.tokens) else None

    def _fail(self, what: str) -> QueryError:
        return QueryError(f"{what} i frågan {self.query!r}")

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while self._peek() == "OR":
            self.pos += 1
            if self._peek() in (None, ")", "OR"):
                raise self._fail("OR behöver något att söka efter sig")
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self) -> Node:
        items: list[Node] = []
        while self._peek() not in (None, "OR", ")"):
            if self._peek() == "AND":
                self.pos += 1
                if not items or self._peek() in (None, "OR", ")", "AND"):
                    raise self._fail("AND behöver något att söka efter på båda sidor")
                continue
            items.append(self.parse_unary())
        if not items:
            what = {
                "OR": "OR behöver något att söka efter före sig",
                ")": "')' utan motsvarande '('",
            }
            raise self._fail(what.get(self._peek() or "", "tom grupp '()'"))
        return items[0] if len(items) == 1 else And(tuple(items))

    def parse_unary(self) -> Node:
        if self._peek() in ("NOT", "-"):
            op = self.tokens[self.pos].kind
            self.pos += 1
            if self._peek() in (None, "OR", "AND", ")"):
                raise self._fail(f"{op} behöver något att utesluta efter sig")
            self._deeper()
            node = Not(self.parse_unary())
            self.depth -= 1
            return node
        return self.parse_primary()

    def parse_primary(self) -> Node:
        tok = self.tokens[self.pos]
        self.pos += 1
        if tok.kind == "(":
            if self._peek() == ")":
                raise self._fail("tom grupp '()'")
            self._deeper()
            node = self.parse_or()
            if self._peek() != ")":
                raise self._fail("')' saknas")
            self.pos += 1
            self.depth -= 1
            return node
        if tok.kind == "phrase":
            if not tok.text.strip():
                raise self._fail('tom fras ""')
            return Text(tok.text, phrase=True)
        if tok.kind == "case":
            return CaseNumber(tok.text)
        if tok.kind == "field":
            return _field_node(tok.field, tok.text, self.query)
        return Text(tok.text)


def _field_node(name: str, value: str, query: str) -> Node:
    if name not in RANGE_FIELDS:
        return FieldMatch(name, value)
    low, sep, high = value.partition("..")
    if not sep:
        high = low
    low, high = low.strip() or None, high.strip() or None
    if low is None and high is None:
        raise QueryError(f"'{name}:{value}' behöver minst en ände i frågan {query!r}")
    check = _check_year if name == "year" else _check_date
    for end in (low, high):
        if end is not None:
            check(end, query)
    if low is not None and high is not None and _range_key(low) > _range_key(high):
        raise QueryError(f"'{name}:{value}' börjar efter att det slutar i frågan {query!r}")
    return Range(name, low, high)


def day_number(value: str, *, high: bool) -> int:
    """A query date (YYYY, YYYY-MM or YYYY-MM-DD) as the first or last YYYYMMDD it covers."""
    parts = value.split("-")
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 else (99 if high else 0)
    day = int(parts[2]) if len(parts) > 2 else (99 if high else 0)
    return year * 10000 + month * 100 + day


def _range_key(value: str) -> str:
    return value.zfill(4) if value.isdigit() else value


def _check_year(value: str, query: str) -> None:
    if not _YEAR_RE.fullmatch(value):
        raise QueryError(f"året {value!r} är inget fyrsiffrigt år i frågan {query!r}")


def _check_date(value: str, query: str) -> None:
    m = _DATE_RE.fullmatch(value)
    try:
        if not m:
            raise ValueError
        date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        raise QueryError(
            f"datumet {value!r} är inte ÅÅÅÅ, ÅÅÅÅ-MM eller ÅÅÅÅ-MM-DD i frågan {query!r}"
        ) from None


def check_date_option(value: str, name: str) -> str:
    """Validate a --from/--to date the same way as in a query."""
    _check_date(value, f"--{name} {value}")
    return value


def text_leaves(node: Node | None, *, negated: bool = False) -> list[Text | CaseNumber]:
    """Words, phrases and case numbers a document must or may contain (not the excluded ones).

    The highlighter marks these and the title boost scores them.
    """
    if node is None:
        return []
    if isinstance(node, Text | CaseNumber):
        return [] if negated else [node]
    if isinstance(node, Not):
        return text_leaves(node.item, negated=not negated)
    if isinstance(node, And | Or):
        return [leaf for item in node.items for leaf in text_leaves(item, negated=negated)]
    if isinstance(node, FieldMatch) and node.field == "title" and not negated:
        return [Text(node.value)]
    return []
