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


def render_table(
    rows: Iterable[Sequence[object]], format_cell: Callable[[object], str] = _plain_cell
) -> list[str]:
    """Rows of raw cell values as lines; empty rows and columns are dropped.

    Below a header row, lines read "이름: 홍길동 | 부서: 인사팀": each line carries
    its column names, so it can be found and quoted on its own.
    """
    raw = [list(r) for r in rows if any(map(_filled, r))]
    cells = _drop_empty_columns([[format_cell(v) for v in r] for r in raw])
    header_at = _header_index(raw)
    if header_at is None:
        lines = [join_cells(r) for r in cells]
    else:
        header = cells[header_at]
        lines = [join_cells(r) for r in cells[: header_at + 1]]
        lines += [_record(header, r) for r in cells[header_at + 1 :]]
    return [line for line in lines if line]


def _filled(value: object) -> bool:
    return value is not None and bool(str(value).strip())


def _header_index(rows: list[list[object]]) -> int | None:
    """The first row with 2+ filled cells, if all are non-numeric strings and rows follow.

    Single-cell rows above it are the table's own title ("2024년 연차 현황")."""
    widths = [sum(map(_filled, r)) for r in rows[:HEADER_SCAN_ROWS]]
    at = next((i for i, width in enumerate(widths) if width >= 2), 0)
    if at >= len(rows) - 1:
        return None
    filled = [v for v in rows[at] if _filled(v)]
    numeric = any(not isinstance(v, str) or _NUMBER_LIKE.match(v.strip()) for v in filled)
    return None if numeric else at


def _record(header: list[str], row: list[str]) -> str:
    pairs = []
    for i, value in enumerate(row):
        if value:
            name = header[i] if i < len(header) else ""
            pairs.append(f"{name}: {value}" if name else value)
    return " | ".join(pairs)


def _drop_empty_columns(rows: list[list[str]]) -> list[list[str]]:
    width = max((len(r) for r in rows), default=0)
    keep = [i for i in range(width) if any(i < len(r) and r[i] for r in rows)]
    return [[r[i] if i < len(r) else "" for i in keep] for r in rows]


def check_ooxml(path: Path, kind: str) -> None:
    """Refuse what is not a sound OOXML zip; ``kind`` is "DOCX", "PPTX" or "XLSX".

    Encrypted OOXML files are OLE containers like the legacy binary formats."""
    require_nonempty(path)
    with _reading(path), path.open("rb") as fh:
        head = fh.read(len(OLE_MAGIC))
    if head == OLE_MAGIC:
        raise ParseError(
            "password-protected or legacy binary Office file; "
            f"save as .{kind.lower()} without a password and add it again"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (*_ZIP_ERRORS, OSError, UnicodeDecodeError) as exc:  # names: flagged UTF-8
        raise ParseError(f"not a valid {kind} file: the zip archive is damaged") from exc
    if "[Content_Types].xml" not in {info.filename for info in infos}:
        raise ParseError(f"not a valid {kind} file: a zip archive, but not an Office document")
    if any(info.flag_bits & 0x1 for info in infos):  # zipfile raises RuntimeError on these
        raise ParseError(f"not a valid {kind} file: its zip entries are password-protected")
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        mb = MAX_UNCOMPRESSED_BYTES >> 20
        raise ParseError(f"not a valid {kind} file: it expands to over {mb} MB (zip bomb?)")


def ooxml_error(kind: str, exc: BaseException) -> ParseError:
    """A ParseError saying in words what a library's exception means for the file."""
    if isinstance(exc, _ZIP_ERRORS) or (isinstance(exc, OSError) and exc.errno is not None):
        reason = "the zip archive is damaged"
    elif isinstance(exc, _XML_ERRORS):
        reason = "it contains damaged XML"
    elif isinstance(exc, KeyError):
        reason = f"a required part is missing ({exc})"
    elif isinstance(exc, _SHAPE_ERRORS):
        reason = "its parts are damaged or not laid out the way Office writes them"
    else:
        reason = str(exc) or type(exc).__name__
    return ParseError(f"not a valid {kind} file: {reason}")
