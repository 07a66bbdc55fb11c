"""Every sentence diarium says to a person, in Swedish, written once.

Option names, JSON keys and exit codes are a contract for scripts and stay English; everything a
person reads is Swedish. Messages are `str.format` templates named by what they say, so the same
refusal reads the same from every command (and from the web pages), and a test can find English
that slipped in. Numbers a person reads go through `number`, `count` and `size`: Swedish groups
thousands with a space, here a no-break space (U+00A0) so a number never breaks across lines.

Help texts stay with their commands (Click reads them from the docstrings), written in Swedish.
"""

from __future__ import annotations

import errno
import gettext
import sys
from collections.abc import Mapping
from typing import Any

THOUSANDS = "\u00a0"  # no-break space: "345 474" in every count and size
DECIMAL = ","


def number(value: float, decimals: int = 0) -> str:
    """`345474` -> `345 474`, `1.5` with one decimal -> `1,5`."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", DECIMAL).replace("\x00", THOUSANDS)


def count(n: int, singular: str, plural: str | None = None) -> str:
    """`1 dokument`, `2 dokument`, `1 sida`, `3 sidor`: the number and the word that fits it."""
    return f"{number(n)} {singular if n == 1 else (plural or singular)}"


def size(n_bytes: int) -> str:
    return f"{number(n_bytes)} byte"


def seconds(value: float) -> str:
    return f"{number(value, 1)} s"


def listing(items: list[str] | tuple[str, ...]) -> str:
    """`a, b och c`."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} och {items[-1]}"


# -- what the system and the parsers say, in Swedish ------------------------------------------
# The C library's texts (strerror) follow the locale, usually English on a server.
OS_ERRORS = {
    errno.ENOENT: "filen eller mappen finns inte",
    errno.EACCES: "åtkomst nekad",
    errno.EPERM: "åtgärden är inte tillåten",
    errno.EISDIR: "är en mapp",
    errno.ENOTDIR: "är ingen mapp",
    errno.ENOSPC: "disken är full",
    errno.EROFS: "filsystemet är skrivskyddat",
    errno.EEXIST: "finns redan",
    errno.EIO: "in/ut-fel på disken",
    errno.ENAMETOOLONG: "namnet är för långt",
    errno.EMFILE: "för många öppna filer",
    errno.EDQUOT: "diskkvoten är slut",
}


def os_error(exc: OSError) -> str:
    """`åtkomst nekad` for EACCES: an OSError's reason as a person reads it."""
    known = OS_ERRORS.get(exc.errno or -1)
    if known:
        return known
    return exc.strerror or type(exc).__name__


AT_LINE = "{where} (rad {line})"
YAML_BOOL = "{value} (ett sanningsvärde i YAML; sätt citattecken runt för att mena texten)"
CANNOT_READ = "filen går inte att läsa: {reason}"
UNREADABLE = "filen kunde inte läsas ({error})"


def yaml_error(exc: Any) -> str:
    """Where a YAML file is broken, as `rad 3, kolumn 7`: PyYAML's own words are English."""
    refusal = getattr(exc, "refusal", None)  # archive.safeyaml's own refusals
    if refusal:
        return str(refusal)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return "ogiltig YAML"
    return f"ogiltig YAML på rad {mark.line + 1}, kolumn {mark.column + 1}"


# -- limits on what the archive takes in (archive.limits) ---------------------------------------
OVER_LIMIT = "{what}: över gränsen {limit} = {value} (ändras under limits: i settings.yaml)"
LIMITS_NOT_MAPPING = "{source}: limits ska vara en mappning av namn: värde"
UNKNOWN_LIMIT = "{source}: okänd gräns {key!r} (finns: {known})"
LIMIT_NOT_POSITIVE = "{source}: gränsen {key} ska vara ett positivt tal"
YAML_ALIAS = (
    "alias (*namn) på rad {line} tas inte emot: diariums filer använder inte alias "
    "(de kan blåsa upp en liten fil till gigabyte)"
)
YAML_TOO_BIG = "över gränsen yaml_kb = {limit} kB ({size} kB; ändras under limits: i settings.yaml)"


def json_error(exc: Any) -> str:
    return f"ogiltig JSON på rad {exc.lineno}, kolumn {exc.colno}"


# -- values stored in English in records (a contract with scripts), shown in Swedish -------------
FLAG_LABELS = {
    "no text layer": "inget textlager",
    "no text": "ingen text",
}


def flag(value: str) -> str:
    return FLAG_LABELS.get(value, value)


def flags(values: list[str]) -> str:
    return ", ".join(flag(v) for v in values)


# -- hostile input and failing disks --------------------------------------------------------------
LINK_OUT = "hoppades över: en symbolisk länk ut ur mappen (till {target}) följs inte"
WORKER_DIED = (
    "läsprocessen dog medan den läste den här filen (dödad, minnet slut?); övriga filer gick vidare"
)
WORKERS_KEPT_DYING = "läsprocesserna dog om och om igen; filen lästes inte"
BATCH_STOPPED = "diarium: {reason}; resten av filerna lästes inte"
DAMAGED = "SKADAT"
DOING_REMOVE = "tar bort {id}"
DOING_STORE = "lagrar {source}"
DOING_WRITE = "skriver {name}"
THE_ARCHIVE = "arkivet"
CANNOT_WRITE = "kan inte skriva {path} ({doing}): {reason}"
FILE_MISSING = "{name} saknas"
NOT_READABLE_JSON = "{name} är ingen läsbar JSON (inte UTF-8, eller nästlad för djupt)"
NOT_A_FULL_ID = "{id!r} är inget dokument-id (16 hexadecimala tecken)"
NOT_AN_ID = "{id} är inget dokument-id (id:n är hexadecimala, minst {length} tecken)"
RECORD_NOT_OBJECT = "ska vara ett JSON-objekt"
RECORD_FIELD_MISSING = "fältet {field} saknas"
RECORD_FIELD_TYPE = "fältet {field} har fel typ"
RECORD_WRONG_ID = "id {id!r} stämmer inte med mappen {folder}"
TEXT_NOT_OBJECT = "ska vara ett JSON-objekt med en lista pages"
TEXT_BAD_PAGE = "en sida saknar number (heltal) eller text (sträng)"
PICKLE_REFUSED = "filen vill anropa {call}, som inte tas emot"
DOCUMENT_DAMAGED = "dokumentet {id} är skadat: {reason} (se `diarium check`)"
TOO_DEEP = "indata nästlade för djupt för att läsas (t.ex. för många parenteser)"
QUERY_TOO_DEEP = "frågan nästlar parenteser eller NOT djupare än {depth} nivåer: {query!r}"
INTERNAL_ERROR = (
    "internt fel ({error}): ett fel i diarium, inte i arkivet eller sökindexet{logged}; kör "
    "kommandot med --debug för att se spårningen"
)
INTERNAL_ERROR_LOGGED = "; felet med spårning står i {log}"
INDEX_DAMAGED = "sökindexet i {path} är skadat ({error}); bygg om det med `diarium reindex`"
TEMPLATE_TOO_BIG = (
    "mallen ger mer än gränsen template_output_mb = {limit} MB (ändras under limits: i "
    "settings.yaml)"
)
TEMPLATE_TIMEOUT = (
    "mallen renderades inte inom gränsen template_seconds = {seconds} s (en loop utan slut?; "
    "ändras under limits: i settings.yaml)"
)
TEMPLATE_RENDER_DIED = "mallen kunde inte renderas (processen dog)"
TEMPLATE_CANNOT_RENDER = "mallen kan inte renderas: {error}"


# -- the command line: framing ------------------------------------------------------------------
PREFIX = "diarium: {message}"
WARNING = "diarium: varning: {message}"
PERMISSION_DENIED = "åtkomst nekad: {path}"
INTERRUPTED = "avbrutet; det som rapporterades som lagrat finns kvar"
INDEX_NOT_UPDATED = "varning: sökindexet uppdaterades inte ({error}); kör `diarium reindex`"

OPTIONS_METAVAR = "[FLAGGOR]"
SUBCOMMAND_METAVAR = "KOMMANDO [ARGUMENT]..."

# -- ingest -------------------------------------------------------------------------------------
INGEST_PROGRESS = "Tar in"
INGEST_ADDED = "tillagd     {id}  {source}  ({kind}, {date}){flags}"
INGEST_OCR = "  (OCR: {pages} s.)"
INGEST_UNCHANGED = "oförändrad  {id}  {source}"
INGEST_SKIPPED = "hoppade över  {path}: {reason}"
DATA_FILE_SKIPPED = "diariums data till {document}, inget dokument"
INGEST_FAILED = "misslyckades: {path}: {error}"
INGEST_SUMMARY = "{added} tillagda, {unchanged} oförändrade, {skipped}{failed} misslyckade"
INGEST_SUMMARY_SKIPPED = "{count} överhoppade, "
NO_DATE = "utan datum"

# -- show, list, stats --------------------------------------------------------------------------
SHOW_SECTIONS = "  Avsnitt:"
SHOW_PAGE = "\n--- sida {number} ---"
SHOW_FILE = "{source} ({format}, {pages} s.)"


LIST_SUMMARY = "{documents} i {root}"
LIST_DAMAGED = "{id}  " + DAMAGED + "      {reason}"
LIST_DAMAGED_SUMMARY = "{documents}: se `diarium check`; `diarium remove ID` tar bort dem"
STATS_DAMAGED = "Skadade dokument ({count}, se `diarium check`):"
CHECK_SUMMARY = "{documents} kontrollerade, {problems} ({root})"
CHECK_NOT_A_SHARD = "hör inte till arkivet (ingen dokumentmapp)"
CHECK_NOT_AN_ID = "hör inte till arkivet (inget dokument-id)"
CHECK_WRONG_SHARD = "ligger i fel mapp ({shard}/)"
CHECK_UNREADABLE = "kan inte läsas: {reason}"
CHECK_JOURNAL_LINE = "rad {line} är ingen post"
CHECK_JOURNAL_ID = "rad {line} namnger inget dokument-id: {id!r}"
CHECK_ORIGINALS = "{count} original i mappen (ska vara ett)"
CHECK_ORIGINAL_LINK = "{name} är en länk, inte originalet självt"
CHECK_ORIGINAL_UNREADABLE = "{name} kan inte läsas: {reason}"
CHECK_ORIGINAL_CHANGED = "{name} har ändrats: sha256 {digest}… ≠ id"
CHECK_SHA_MISMATCH = "record.json anger en annan sha256 än originalets"
CHECK_INDEX_UNWRITABLE = "kan inte uppdateras: {reason}"
CHECK_NOT_INDEXED = "finns i arkivet men inte i sökindexet (kör `diarium reindex`)"
CHECK_NOT_ARCHIVED = "finns i sökindexet men inte i arkivet (kör `diarium reindex`)"
STATS_ARCHIVE = "Arkiv: {root}"
STATS_TOTALS = "{documents}, {pages}, {size}"
UNKNOWN_MUNICIPALITY = "(okänd)"
UNKNOWN_YEAR = "(okänt)"

# -- remove, restore, trash ---------------------------------------------------------------------
YES_NO = "[j/N]"
YES_ANSWERS = ("j", "ja", "y", "yes")
REMOVE_CONFIRM = "Flytta {id} ({source}, {title}) till papperskorgen?"
REMOVED = "flyttad till papperskorgen: {id}  {source} (ta tillbaka: diarium restore {id})"
REMOVE_NOT_CONFIRMED = "inget togs bort"
RESTORED = "återställd: {id}  {source}"
REMOVE_DAMAGED_CONFIRM = "Flytta det skadade dokumentet {id} ({reason}) till papperskorgen?"
REMOVED_DAMAGED = (
    "flyttad till papperskorgen: {id}  (skadat: {reason}) (ta tillbaka: diarium restore {id})"
)
RESTORED_DAMAGED = "återställd: {id}  (skadat: {reason})"
TRASH_EMPTY_CONFIRM = "Radera {documents} för gott (borttagna för mer än {days} dagar sedan)?"
TRASH_EMPTY_NOTHING = "papperskorgen: inget äldre än {days} dagar"
TRASH_EMPTIED = "raderade för gott: {id}  {source} (borttagen {removed_at})"
TRASH_LINE = "{id}  {removed_at}  {by:<12}  {source}  {reason}"
TRASH_SUMMARY = "{count} i papperskorgen ({root})"
NO_REASON = "(inget skäl angivet)"
ID_TOO_SHORT = (
    "{id!r} är för kort för att ta bort: skriv minst {length} tecken av id:t (eller hela), "
    "så att ingen annan handling träffas av misstag"
)
NOT_IN_TRASH = "ingen handling {id!r} i papperskorgen i {root}"
AMBIGUOUS_IN_TRASH = "id:t {id!r} är tvetydigt i papperskorgen: {matches}"
ALREADY_IN_ARCHIVE = "{id} finns redan i arkivet; papperskorgens kopia lämnas orörd"
BAD_AGE = "--older-than tar ett antal dagar som 30d, inte {value!r}"

# -- search, reindex ----------------------------------------------------------------------------
SEARCHED_AS = "Sökt som: {expanded}"
SHOWING_CORRECTED = "Visar resultat för {corrected}"
NO_MATCH = "Inga dokument matchar {query!r}{past}"
PAST_LAST_PAGE = " (sida {page} ligger efter den sista)"
MATCHES = "{documents} matchar; visar {first}–{last}"
HIT_PAGE = "sida {page}: "
FACET_NAMES = {"municipality": "kommun", "year": "år", "kind": "dokumenttyp", "board": "nämnd"}
EMPTY_ARCHIVE = "arkivet i {root} har inga dokument; lägg till några med `diarium ingest`"
NO_ARCHIVE = "det finns inget arkiv i {root}; lägg till dokument med `diarium ingest`"
INDEXING = "Indexerar"
INDEXED = "indexerade {documents} på {seconds} ({index})"
REINDEX_SKIPPED = "hoppade över {id}: skadat ({reason}); se `diarium check`"

# -- generate, new, templates -------------------------------------------------------------------
WROTE = "skrev {path}"
FILED = "arkiverad {id} ({kind}, {date}, {title})"
ALREADY_FILED = "finns redan i arkivet som {id} ({kind}, {date}, {title})"
OUTPUT_NOT_DOCX = "-o {path}: dokumentet är en Word-fil; ge det ett namn som slutar på .docx"
TEMPLATE_NOT_DOCX = "{path}: en mall är en Word-fil, *.docx"
OPTIONAL_FIELD = " (frivilligt, tom rad hoppar över)"
FIELD_REQUIRED = "  Fältet måste fyllas i."
ANSWER_AGAIN = "  {problem}. Svara igen."
RECORD_PROMPT = "  {label} {number} (tom rad avslutar):"
CELLS_PROMPT = "{prefix}Celler åtskilda med ; ({columns})."
ROW_PROMPT = "{prefix}Rad"
PARAGRAPH_PROMPT = "{prefix}{label}, stycke"
POINT_PROMPT = "{prefix}{label}, punkt"
TEMPLATE_BUILTIN = "inbyggd"
TEMPLATE_LINE = "{slug:<26} {name:<26} {origin}"
TEMPLATE_HEAD = "{name} ({slug}): {description}"
TEMPLATE_FILE = "mall: {path}\n"
FIELD_LINE = "{indent}{name}  ({type}, {required})"
FIELD_REQUIRED_WORD = "obligatoriskt"
FIELD_OPTIONAL_WORD = "frivilligt"
LIST_OF = "lista av {item}"
KEPT_TEMPLATE = "behöll {path} (fanns redan)"
COPIED_TEMPLATE = "kopierade {path}"
USE_TEMPLATES = (
    "Använd dem med --templates {directory} eller `templates: {resolved}` i arkivets settings.yaml."
)
TEMPLATE_OK = "{path}: fungerar för {slug}"


# -- Click's own words --------------------------------------------------------------------------
# Click marks its strings for gettext (`from gettext import gettext as _` in each module) but
# looks them up in the process's locale, so a Swedish text would depend on $LANG. diarium speaks
# Swedish whatever the locale, so a translations object built from this table is bound to
# Click's modules' `_` and `ngettext` names (`install_click_swedish`). The table is small and
# written here rather than as a compiled .mo file: a .mo needs msgfmt at build time and a
# locale-dependent lookup, and says nothing this dict does not.
CLICK: Mapping[str, str | tuple[str, str]] = {
    "Usage:": "Användning:",
    "Options": "Flaggor",
    "Positional arguments": "Argument",
    "Commands": "Kommandon",
    "Show this message and exit.": "Visa den här hjälpen och avsluta.",
    "Show the version and exit.": "Visa versionen och avsluta.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "Error: {message}": "Fel: {message}",
    "Try '{command} {option}' for help.": "Skriv '{command} {option}' för hjälp.",
    "No such option {name!r}.": "Ingen sådan flagga: {name!r}.",
    "No such command {name!r}.": "Inget sådant kommando: {name!r}.",
    "Missing command.": "Kommando saknas.",
    "Missing argument": "Argument saknas",
    "Missing option": "Flagga saknas",
    "Missing parameter": "Parameter saknas",
    "Missing {param_type}": "{param_type} saknas",
    "Missing parameter: {param_name}": "Parameter saknas: {param_name}",
    "Invalid value: {message}": "Ogiltigt värde: {message}",
    "Invalid value for {param_hint}: {message}": "Ogiltigt värde för {param_hint}: {message}",
    "unknown error": "okänt fel",
    "Could not open file {filename!r}: {message}": "Kunde inte öppna filen {filename!r}: {message}",
    "Aborted!": "Avbrutet!",
    "deprecated": "föråldrad",
    "required": "obligatorisk",
    "env var: {var}": "miljövariabel: {var}",
    "default: {default}": "standard: {default}",
    "(dynamic)": "(dynamiskt)",
    "Value must be an iterable.": "Värdet måste vara en följd.",
    "Do you want to continue?": "Vill du fortsätta?",
    "Confirm the action without prompting.": "Bekräfta utan att fråga.",
    "Option {name!r} does not take a value.": "Flaggan {name!r} tar inget värde.",
    "Argument {name!r} takes {nargs} values.": "Argumentet {name!r} tar {nargs} värden.",
    "Invalid start character for option ({option})": "Ogiltigt första tecken i flagga ({option})",
    "Repeat for confirmation": "Upprepa för att bekräfta",
    "Error: The two entered values do not match.": "Fel: de två värdena är inte lika.",
    "Error: invalid input": "Fel: ogiltig inmatning",
    "Press any key to continue...": "Tryck på en tangent för att fortsätta …",
    "file": "fil",
    "directory": "mapp",
    "path": "sökväg",
    "Choose from:\n\t{choices}": "Välj bland:\n\t{choices}",
    "Choice({choices})": "Val({choices})",
    "{value} is not in the range {range}.": "{value} ligger inte i intervallet {range}.",
    "{value!r} is not a valid {number_type}.": "{value!r} är inget giltigt tal.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} är inget sanningsvärde. Giltiga värden: {states}"
    ),
    "{value!r} is not a valid UUID.": "{value!r} är inget giltigt UUID.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} finns inte.",
    "{name} {filename!r} is a file.": "{name} {filename!r} är en fil.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} är en mapp.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} går inte att läsa.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} går inte att skriva.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} går inte att köra.",
    "Got unexpected extra argument ({args})": (
        "Oväntat extra argument ({args})",
        "Oväntade extra argument ({args})",
    ),
    "Takes {nargs} values but 1 was given.": (
        "Tar {nargs} värden men 1 gavs.",
        "Tar {nargs} värden men {len} gavs.",
    ),
    "Did you mean {possibility}?": (
        "Menade du {possibility}?",
        "(Menade du någon av: {possibilities}?)",
    ),
    "Option {name!r} requires an argument.": (
        "Flaggan {name!r} behöver ett värde.",
        "Flaggan {name!r} behöver {nargs} värden.",
    ),
    "{value!r} is not {choice}.": (
        "{value!r} är inte {choice}.",
        "{value!r} är inte en av {choices}.",
    ),
    "{value!r} does not match the format {format}.": (
        "{value!r} har inte formatet {format}.",
        "{value!r} har inget av formaten {formats}.",
    ),
    "{len_type} values are required, but {len_value} was given.": (
        "{len_type} värden behövs, men {len_value} gavs.",
        "{len_type} värden behövs, men {len_value} gavs.",
    ),
}


class _Swedish(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        found = CLICK.get(message)
        return found if isinstance(found, str) else message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        found = CLICK.get(msgid1)
        if isinstance(found, tuple):
            return found[0] if n == 1 else found[1]
        return msgid1 if n == 1 else msgid2


# The Click modules that bind `_`/`ngettext` at import (click 8.1-8.x; pinned below 9 in
# pyproject.toml because these module names are Click's internals).
_CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
    "click.utils",
    "click.shell_completion",
    "click._termui_impl",
)


def install_click_swedish() -> None:
    """Make Click's usage lines, errors and --help words Swedish, whatever the locale."""
    import importlib

    swedish = _Swedish()
    for name in _CLICK_MODULES:
        try:
            module = sys.modules.get(name) or importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "_"):
            module._ = swedish.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = swedish.ngettext  # type: ignore[attr-defined]
