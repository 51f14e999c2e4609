"""Helpers shared by the parsers: reading and decoding bytes, normalizing text,
cutting sections at headings, rendering table rows, and vetting OOXML zips."""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from struct import error as struct_error

import charset_normalizer
from lxml import etree

from jisik.errors import ParseError
from jisik.types import Section

logger = logging.getLogger(__name__)

BINARY_SNIFF_BYTES = 8192
MAX_REPLACED_FRACTION = 20  # damaged text: at most 1 in 20 non-ASCII characters replaced
HEADER_SCAN_ROWS = 5  # how far down a table's title rows may push its header row
NO_HEADING_LOCATION = "본문"
# zipfile never inflates an entry past its declared size, so summing the
# declared sizes bounds what a library can make us decompress.
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
# Office XML compresses about 10:1. An entry that inflates far more than that and
# to more than a few MB is a bomb, whatever the total (1.6 MB of zip inflated to
# 450 MB of XML took 3.3 GB to read).
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 8 * 1024 * 1024
# One XML part the libraries build a tree of (python-docx reads a part whole, at
# about ten times its size in memory); parts read as a stream are exempt.
MAX_XML_PART_BYTES = 100 * 1024 * 1024
# zipfile builds an object per entry before anything can be checked, so the
# central directory's size is checked from the end record first.
MAX_ZIP_ENTRIES = 20_000
MAX_CENTRAL_DIRECTORY_BYTES = 8 * 1024 * 1024
XML_SUFFIXES = (".xml", ".rels", ".hpf")
# Office Open XML parts never have a DOCTYPE (ECMA-376 part 2 forbids DTDs); one
# with entity declarations can only be an attack, and openpyxl reads sheets with
# expat, which expands internal entities.
PROLOG_SCAN_BYTES = 64 * 1024
_ELEMENT_START = re.compile(rb"<[A-Za-z_]")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# What damaged OOXML packages raise inside python-docx, python-pptx and openpyxl,
# by layer. The libraries assume the XML has the shape Office writes, so odd but
# well-formed XML ends in AttributeError & co., and openpyxl reports a missing
# workbook part as OSError. Each parser adds its library's own types.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError)
_XML_ERRORS = (etree.LxmlError, SyntaxError)  # lxml's XMLSyntaxError derives from both
_SHAPE_ERRORS = (AttributeError, TypeError, IndexError)
OOXML_ERRORS: tuple[type[BaseException], ...] = (
    _ZIP_ERRORS + _XML_ERRORS + _SHAPE_ERRORS + (KeyError, ValueError, OSError)
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its BOM starts with UTF-16 LE's
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Titles that authoring tools fill in by themselves and that name nothing.
_PLACEHOLDER_TITLES = frozenset(
    "untitled|제목 없음|제목없음|powerpoint presentation|powerpoint 프레젠테이션|presentation"
    "|document|문서|slide 1|title|(anonymous)".split("|")  # reportlab: (anonymous)
)
_FILENAME_TITLE = re.compile(
    r"^(microsoft\s+(word|powerpoint|excel)\s+-\s+.*|.*\.(docx?|pptx?|xlsx?|pdf|hwpx?|txt|rtf|odt))$"
    r"|^(document|presentation|문서|프레젠테이션|통합 문서)\s*\d+$",
    re.IGNORECASE,
)
_NUMBER_LIKE = re.compile(r"^[-+(]?[$₩€¥£]?\s*[\d.,]+\s*[%)원]?$|^\d{4}[-./]\d{1,2}[-./]\d{1,2}")
_SPACES = re.compile(r"\s+")


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn an OSError while reading ``path`` into a ParseError a person can act on."""
    try:
        yield
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror or exc}") from exc


def require_nonempty(path: Path) -> None:
    with _reading(path):
        size = path.stat().st_size
    if size == 0:
        raise ParseError("the file is empty")


def read_bytes(path: Path) -> bytes:
    require_nonempty(path)
    with _reading(path):
        return path.read_bytes()


def read_text(path: Path) -> str:
    return decode_bytes(read_bytes(path))


def decode_bytes(data: bytes) -> str:
    """BOM, strict UTF-8, CP949 (a superset of EUC-KR, usual on Korean Windows),
    then charset-normalizer's guess, which often mistakes short Korean text; then NFC."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return normalize_text(data.decode(encoding))
            except UnicodeDecodeError:
                break  # a prefix that only looks like a BOM; use the other rules
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        raise ParseError("binary file, not text")
    # A UTF-8 file with a few damaged bytes often decodes "cleanly" as CP949, into
    # mojibake; real CP949 text, read as UTF-8, fails on nearly every syllable.
    for encoding, strict in (("utf-8", True), ("utf-8", False), ("cp949", True)):
        text = _decode(data, encoding, strict)
        if text is not None:
            return normalize_text(text)
    best = charset_normalizer.from_bytes(data).best()
    text = str(best) if best is not None else _decode(data, "cp949", strict=False)
    if text is None:
        raise ParseError("cannot detect the text encoding; save the file as UTF-8 and add it again")
    return normalize_text(text)


def _decode(data: bytes, encoding: str, strict: bool) -> str | None:
    """Strictly, or with at most 1 in MAX_REPLACED_FRACTION characters replaced."""
    if strict:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            return None
    text = data.decode(encoding, errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ch > "\x7f") - bad
    if good and bad * MAX_REPLACED_FRACTION <= good:
        logger.warning("replaced %d undecodable bytes reading text as %s", bad, encoding)
        return text
    return None


def normalize_text(text: str) -> str:
    """Newlines to "\\n" and Unicode NFC (macOS writes Hangul decomposed, NFD)."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def collapse_spaces(text: str) -> str:
    """All whitespace runs to one space; for cells and other one-line text."""
    return _SPACES.sub(" ", text).strip()


def join_lines(lines: Iterable[str]) -> str:
    """Lines joined with "\\n", trailing spaces and blank lines dropped."""
    return "\n".join(s for s in (line.rstrip() for line in lines) if s.strip())


def clean_title(title: str | None) -> str:
    """The title, or "" for one a tool filled in ("Untitled", "Microsoft Word - a.docx")."""
    cleaned = collapse_spaces(normalize_text(title or ""))
    if cleaned.lower() in _PLACEHOLDER_TITLES or _FILENAME_TITLE.match(cleaned):
        return ""
    return cleaned


class SectionBuilder:
    """Collects lines and cuts a Section at each heading; the location is the trail
    of enclosing headings ("인사 규정 > 연차휴가"), so a citation says where the text sits."""

    def __init__(self, default_location: str = NO_HEADING_LOCATION) -> None:
        self._default_location = default_location
        self._trail: list[tuple[int, str]] = []
        self._lines: list[str] = []
        self._sections: list[Section] = []

    def heading(self, level: int, text: str) -> None:
        text = collapse_spaces(text)
        if not text:
            return  # an empty heading marks nothing a person could cite
        self._flush()
        self._trail = [(lvl, t) for lvl, t in self._trail if lvl < level] + [(level, text)]

    def add(self, line: str) -> None:
        self._lines.append(line)

    def build(self) -> tuple[Section, ...]:
        self._flush()
        return tuple(self._sections)

    def _flush(self) -> None:
        text = join_lines(self._lines)
        self._lines = []
        if not text:
            return
        if self._trail:
            location, heading = " > ".join(t for _, t in self._trail), self._trail[-1][1]
        else:
            location, heading = self._default_location, ""
        self._sections.append(Section(text=text, location=location, heading=heading))


def join_cells(cells: Iterable[str]) -> str:
    """A row as one line, " | " between cells; inner empty cells stay so columns line up."""
    cleaned = [collapse_spaces(c) for c in cells]
    while cleaned and not cleaned[-1]:
        cleaned.pop()
    return " | ".join(cleaned)


def _plain_cell(value: object) -> str:
    return "" if value is None else collapse_spaces(str(value))


class _Spanned:
    """A grid position covered by a merged cell to its left (colspan, gridSpan)."""

    def __repr__(self) -> str:
        return "SPANNED"


SPANNED = _Spanned()


def render_table(
    rows: Iterable[Sequence[object]], format_cell: Callable[[object], str] = _plain_cell
) -> list[str]:
    """Rows of raw cell values as lines; empty rows and columns are dropped.

    Below a header row, lines read "이름: 홍길동 | 부서: 인사팀": each line carries
    its column names, so it can be found and quoted on its own. A header cell merged
    over several columns (``SPANNED`` to its right) names each of them, and a second
    header row under such a cell qualifies the names ("연락처 전화", "연락처 이메일").
    """
    raw = [list(r) for r in rows if any(map(_filled, r))]
    cells = [["" if v is SPANNED else format_cell(v) for v in r] for r in raw]
    keep = _filled_columns(cells)
    header_at = _header_index(raw)
    if header_at is None:
        return [line for line in (join_cells(_pick(r, keep)) for r in cells) if line]
    header = _spread(cells[header_at], raw[header_at])
    body = header_at + 1
    if _is_subheader(raw, header_at):
        header = [_qualified(top, sub) for top, sub in zip(header, _padded(cells[body], header))]
        body += 1
    # Header rows as written: a merged cell once, not once per column it covers.
    lines = [
        join_cells(c for c, v in zip(_pick(r, keep), _pick(raw_row, keep)) if v is not SPANNED)
        for r, raw_row in zip(cells[:body], raw[:body])
    ]
    lines += [header_record(_pick(header, keep), _pick(r, keep)) for r in cells[body:]]
    return [line for line in lines if line]


def _filled(value: object) -> bool:
    return value is not None and value is not SPANNED and bool(str(value).strip())


def _header_index(rows: list[list[object]]) -> int | None:
    """The first row with 2+ filled cells, if all are non-numeric strings and rows follow.

    Single-cell rows above it are the table's own title ("2024년 연차 현황")."""
    widths = [sum(map(_filled, r)) for r in rows[:HEADER_SCAN_ROWS]]
    at = next((i for i, width in enumerate(widths) if width >= 2), 0)
    if at >= len(rows) - 1:
        return None
    return at if _label_row(rows[at]) else None


def _label_row(row: list[object]) -> bool:
    filled = [v for v in row if _filled(v)]
    return len(filled) >= 2 and all(
        isinstance(v, str) and not _NUMBER_LIKE.match(v.strip()) for v in filled
    )


def _is_subheader(rows: list[list[object]], at: int) -> bool:
    """A second header row: under a merged header cell, label-like, with rows below."""
    return (
        any(v is SPANNED for v in rows[at])
        and at + 2 < len(rows)
        and _label_row(rows[at + 1])
    )


def _spread(names: list[str], raw: list[object]) -> list[str]:
    """Header names with each merged cell's name over every column it covers."""
    out: list[str] = []
    for name, value in zip(names, raw, strict=True):
        out.append(out[-1] if value is SPANNED and out else name)
    return out


def _qualified(top: str, sub: str) -> str:
    if not sub or sub == top:
        return top
    return f"{top} {sub}" if top else sub


def _padded(row: list[str], like: list[str]) -> list[str]:
    return row + [""] * (len(like) - len(row))


def header_record(header: Sequence[str], row: Sequence[str]) -> str:
    """A row as "column: value" pairs; a value without a column name stands alone."""
    pairs = []
    for i, value in enumerate(row):
        if value:
            name = header[i] if i < len(header) else ""
            pairs.append(f"{name}: {value}" if name else value)
    return " | ".join(pairs)


def _filled_columns(rows: list[list[str]]) -> list[int]:
    width = max((len(r) for r in rows), default=0)
    return [i for i in range(width) if any(i < len(r) and r[i] for r in rows)]


def _pick(row: list[str], keep: list[int]) -> list[str]:
    return [row[i] if i < len(row) else "" for i in keep]


def check_ooxml(
    path: Path, kind: str, streamed: Callable[[str], bool] = lambda name: False
) -> None:
    """Refuse what is not a sound OOXML zip; ``kind`` is "DOCX", "PPTX" or "XLSX".
    ``streamed`` names the parts the library reads as a stream (no size cap).

    Encrypted OOXML files are OLE containers like the legacy binary formats."""
    require_nonempty(path)
    with _reading(path), path.open("rb") as fh:
        head = fh.read(len(OLE_MAGIC))
    if head == OLE_MAGIC:
        raise ParseError(
            "password-protected or legacy binary Office file; "
            f"save as .{kind.lower()} without a password and add it again"
        )
    with zip_archive(path, kind, streamed) as archive:
        if "[Content_Types].xml" not in archive.NameToInfo:
            raise ParseError(f"not a valid {kind} file: a zip archive, but not an Office document")
        for info in archive.infolist():
            if info.filename.lower().endswith(XML_SUFFIXES):
                _refuse_doctype(archive, info, kind)


@contextmanager
def zip_archive(
    path: Path, kind: str, streamed: Callable[[str], bool] = lambda name: False
) -> Iterator[zipfile.ZipFile]:
    """The zip at ``path``, open, once its entries passed the zip-bomb limits."""
    _check_end_record(path, kind)
    try:
        archive = zipfile.ZipFile(path)
    except (*_ZIP_ERRORS, OSError, UnicodeDecodeError) as exc:  # names: flagged UTF-8
        raise ParseError(f"not a valid {kind} file: the zip archive is damaged") from exc
    with archive:
        check_entries(archive.infolist(), kind, streamed)
        yield archive


def _check_end_record(path: Path, kind: str) -> None:
    try:
        with _reading(path), path.open("rb") as fh:
            end = zipfile._EndRecData(fh)  # type: ignore[attr-defined]
    except (AttributeError, ValueError, struct_error):  # pragma: no cover - other Pythons
        return
    if not end:
        return  # not a zip: opening it says so
    entries, size = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
    if entries > MAX_ZIP_ENTRIES or size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise ParseError(
            f"not a valid {kind} file: its zip lists {entries} entries "
            f"({size >> 10} kB of directory), over the {MAX_ZIP_ENTRIES} allowed (zip bomb?)"
        )


def check_entries(
    infos: Sequence[zipfile.ZipInfo], kind: str, streamed: Callable[[str], bool]
) -> None:
    """Zip-bomb limits on the declared sizes: entry count, total, ratio, XML part size."""
    if len(infos) > MAX_ZIP_ENTRIES:
        raise ParseError(
            f"not a valid {kind} file: its zip has {len(infos)} entries, over the "
            f"{MAX_ZIP_ENTRIES} allowed (zip bomb?)"
        )
    if any(info.flag_bits & 0x1 for info in infos):  # zipfile raises RuntimeError on these
        raise ParseError(f"not a valid {kind} file: its zip entries are password-protected")
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        mb = MAX_UNCOMPRESSED_BYTES >> 20
        raise ParseError(f"not a valid {kind} file: it expands to over {mb} MB (zip bomb?)")
    for info in infos:
        size, name = info.file_size, shown_name(info.filename)
        if size > RATIO_FLOOR_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
            ratio = size // max(info.compress_size, 1)
            raise ParseError(
                f"not a valid {kind} file: its part '{name}' inflates {ratio}:1 to "
                f"{size >> 20} MB; more than {MAX_RATIO}:1 beyond {RATIO_FLOOR_BYTES >> 20} MB "
                "is refused (zip bomb?)"
            )
        xml = info.filename.lower().endswith(XML_SUFFIXES)
        if xml and size > MAX_XML_PART_BYTES and not streamed(info.filename):
            raise ParseError(
                f"not a valid {kind} file: its XML part '{name}' is {size >> 20} MB, over the "
                f"{MAX_XML_PART_BYTES >> 20} MB allowed for one part"
            )


def _refuse_doctype(archive: zipfile.ZipFile, info: zipfile.ZipInfo, kind: str) -> None:
    """Refuse an XML part with a DOCTYPE before its root element."""
    try:
        with archive.open(info) as member:
            head = member.read(PROLOG_SCAN_BYTES)
    except (*_ZIP_ERRORS, OSError) as exc:
        raise ParseError(f"not a valid {kind} file: the zip archive is damaged") from exc
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head.decode("utf-16", "replace").encode("utf-8", "replace")
    start = _ELEMENT_START.search(head)
    prolog = head[: start.start()] if start else head
    if b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper():
        raise ParseError(
            f"not a valid {kind} file: its part '{shown_name(info.filename)}' declares a "
            "DOCTYPE or XML entities, which Office files never have (an entity expansion "
            "or external entity attack?)"
        )
    if start is None and len(head) == PROLOG_SCAN_BYTES:
        raise ParseError(
            f"not a valid {kind} file: its part '{shown_name(info.filename)}' has no XML "
            f"element in its first {PROLOG_SCAN_BYTES >> 10} kB"
        )


def shown_name(name: str, limit: int = 80) -> str:
    """A name from inside a file, safe to put in a message."""
    from jisik.text.display import neutralise

    cleaned = neutralise(name)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def ooxml_error(kind: str, exc: BaseException) -> ParseError:
    """A ParseError saying in words what a library's exception means for the file."""
    if isinstance(exc, _ZIP_ERRORS) or (isinstance(exc, OSError) and exc.errno is not None):
        reason = "the zip archive is damaged"
    elif isinstance(exc, _XML_ERRORS):
        reason = "it contains damaged XML"
        if "entit" in str(exc).lower():
            reason += " (entity declarations or references, refused)"
    elif isinstance(exc, KeyError):
        reason = f"a required part is missing ({exc})"
    elif isinstance(exc, _SHAPE_ERRORS):
        reason = "its parts are damaged or not laid out the way Office writes them"
    else:
        reason = str(exc) or type(exc).__name__
    return ParseError(f"not a valid {kind} file: {reason}")
