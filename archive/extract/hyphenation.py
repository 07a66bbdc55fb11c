"""Join words that typesetting split at a line end, without breaking Swedish hyphen compounds.

Swedish writes a shared tail once: `Kultur- och fritidsnämnden`, `vänte- och handläggningstider`.
Set across a line end such a phrase looks exactly like a word split by hyphenation (`Kultur-`
then `och ...`), so joining every hyphen before a line break would write `Kulturoch`. The rules:

- the next line starts with an upper-case letter or a digit: keep the hyphen
  (`Göteborgs-\\nRegionen`);
- the next word is a conjunction that completes a hyphen compound (`och`, `eller`, `samt`, ...):
  keep the hyphen and the line break, unless the two halves make a real word, which only
  happens for tails that are also word endings (`ra-men` = `ramen`, `gemen-samt` = `gemensamt`);
  that question goes to the hunspell sv_SE lexicon (when it is not installed, they are joined:
  the split word is by far the likelier reading);
- the left part is an abbreviation or a single letter (`IT-`, `e-`): keep the hyphen
  (`IT-system`, `e-post`);
- anything else is a split word: join (`bo-\\nlagets` -> `bolagets`).

pdfium already removes the line break at a line-end hyphen and writes U+FFFE where the hyphen
was (`bo\\ufffelagets`); that marker is treated as "hyphen + line break".
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
from functools import cache

# U+FFFE is what pdfium leaves where it removed a line-end hyphen and the line break after it.
PDFIUM_HYPHEN = "\ufffe"

# Words that complete an elided compound: "Kultur- och fritidsnämnden", "för- eller nackdelar".
_CONJUNCTIONS = frozenset(
    {"och", "eller", "samt", "till", "resp", "respektive", "alternativt", "liksom", "som", "men"}
)
# Of those, the ones that are also common word endings ("ra-men", "gemen-samt", "fram-till",
# "lång-som"): only these need the lexicon, so it is loaded only when one of them is met.
_AMBIGUOUS = frozenset({"samt", "till", "som", "men"})

# A left part followed by "-\n" then the rest of the word. The right part must start with a
# letter; the case checks below decide what to do.
_BREAK = re.compile(r"(\w+)-[ \t]*\n[ \t]*(\w+)")

HUNSPELL = ("hunspell", "-d", "sv_SE", "-a", "-i", "utf-8")


class _Hunspell:
    """One `hunspell -a` process per worker, asked one word at a time over a pipe.

    The hunspell program (C++) loads the sv_SE dictionary in ~0.1 s; the pure-Python port
    spylls takes 1.5 s, which a short ingest would pay in every worker process. The `-a` pipe
    protocol is ispell's, stable for decades: one line per word, "*", "+" or "-" = a word.
    """

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.process = subprocess.Popen(
            HUNSPELL,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            encoding="utf-8",
        )
        assert self.process.stdout is not None
        self.process.stdout.readline()  # the version banner
        atexit.register(self.close)

    def close(self) -> None:
        """End the pipe at exit, so no hunspell outlives its process and no pipe is left open."""
        if self.pid != os.getpid():  # a fork's copy: the process belongs to its parent
            return
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def lookup(self, word: str) -> bool:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        stdin.write(f"^{word}\n")  # "^" makes any line a word, never a command
        stdin.flush()
        answers = []
        while line := stdout.readline():
            if line == "\n":
                break
            answers.append(line)
        return bool(answers) and all(a[0] in "*+-" for a in answers)


_speller: tuple[int, _Hunspell | None] | None = None  # (pid, speller) so forks start their own


def _start() -> _Hunspell | None:
    if not shutil.which(HUNSPELL[0]):
        return None
    try:
        speller = _Hunspell()
        return speller if speller.lookup("och") else None  # False: no sv_SE dictionary
    except OSError:
        return None


@cache
def is_word(word: str) -> bool | None:
    """True/False from the hunspell sv_SE lexicon; None when it is not installed."""
    global _speller
    if _speller is None or _speller[0] != os.getpid():
        _speller = (os.getpid(), _start())
    speller = _speller[1]
    if speller is None:
        return None
    try:
        return speller.lookup(word)
    except OSError:
        return None


def _join(match: re.Match[str]) -> str:
    left, right = match.group(1), match.group(2)
    kept = f"{left}-\n{right}"
    if not right[0].islower():
        return kept
    if right.lower() in _CONJUNCTIONS:
        if right.lower() in _AMBIGUOUS:
            # Without a lexicon, a split word is the likelier reading ("systemen", "gemensamt").
            return left + right if is_word(left + right) is not False else kept
        return kept
    if len(left) == 1 or left.isupper() or any(c.isdigit() for c in left):
        return f"{left}-{right}"
    return left + right


def join_hyphenated(text: str) -> str:
    """Text with line-end hyphenation resolved; also turns pdfium's U+FFFE marker back into text."""
    text = text.replace(PDFIUM_HYPHEN, "-\n")
    # A match consumes the right word, so "a-\nb-\nc" needs a second pass for the second break.
    joined = _BREAK.sub(_join, text)
    return _BREAK.sub(_join, joined) if joined != text and "-\n" in joined else joined
