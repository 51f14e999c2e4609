"""HWP 5.0 record streams → text lines; shared table formatting for HWP and HWPX.

A BodyText/SectionN stream (once inflated) is a flat sequence of records, each a
32-bit header (10-bit tag id, 10-bit level, 12-bit size; size 0xFFF means a 4-byte
size follows) and a payload. Nesting is only expressed by the level, so we rebuild
the tree first and then walk it in document order.
"""

from __future__ import annotations

import re
import struct
import unicodedata
from dataclasses import dataclass, field

from jisik.errors import ParseError
from jisik.ingest.parsers._common import clean_title, header_record

HWPTAG_BEGIN = 0x10
TAG_DISTRIBUTE_DOC_DATA = HWPTAG_BEGIN + 12
TAG_PARA_HEADER = HWPTAG_BEGIN + 50
TAG_PARA_TEXT = HWPTAG_BEGIN + 51
TAG_CTRL_HEADER = HWPTAG_BEGIN + 55
TAG_LIST_HEADER = HWPTAG_BEGIN + 56
TAG_TABLE = HWPTAG_BEGIN + 61

_CTRL_TABLE = b"tbl "
# A record is a Python object of about 100 bytes: a section of empty 4-byte
# records, inflated to the 200 MB cap, would need gigabytes.
MAX_RECORDS = 2_000_000

# Char codes below 32 in PARA_TEXT. Single-WCHAR "char" controls are listed here
# with what they stand for; every other code < 32 is an inline or extended control
# that occupies 8 WCHARs (code, 12 bytes of parameters or a control id, code again).
_SINGLE_CHAR_CONTROLS: dict[int, str] = {
    0: "",  # unusable
    10: "\n",  # line break inside the paragraph
    13: "",  # paragraph end
    24: "-",  # hyphen
    25: "",
    26: "",
    27: "",
    28: "",
    29: "",  # reserved
    30: " ",  # non-breaking space (묶음 빈칸)
    31: " ",  # fixed-width space (고정폭 빈칸)
}
_TAB = 9
_CONTROL_WCHARS = 8

# Control characters that must never reach the index (tab and newline are kept).
_STRAY_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(slots=True)
class Record:
    tag: int
    level: int
    payload: bytes
    children: list[Record] = field(default_factory=list)


def read_records(data: bytes) -> list[Record]:
    """Split a decompressed record stream into records (flat, in stream order)."""
    records: list[Record] = []
    pos, end = 0, len(data)
    while pos < end:
        if len(records) >= MAX_RECORDS:
            raise ParseError(
                f"damaged HWP file: a body section has more than {MAX_RECORDS} records "
                "(real documents have far fewer; a damaged or hostile file)"
            )
        if pos + 4 > end:
            raise ParseError("damaged HWP file: a record header is cut short (truncated stream)")
        (header,) = struct.unpack_from("<I", data, pos)
        pos += 4
        size = header >> 20
        if size == 0xFFF:
            if pos + 4 > end:
                raise ParseError("damaged HWP file: a record size is cut short (truncated stream)")
            (size,) = struct.unpack_from("<I", data, pos)
            pos += 4
        if pos + size > end:
            raise ParseError(
                "damaged HWP file: a record runs past the end of its stream (truncated stream)"
            )
        records.append(Record(header & 0x3FF, (header >> 10) & 0x3FF, data[pos : pos + size]))
        pos += size
    return records


def build_tree(records: list[Record]) -> list[Record]:
    """Nest records by level: a record owns the following records of a deeper level."""
    roots: list[Record] = []
    stack: list[Record] = []
    for rec in records:
        while stack and stack[-1].level >= rec.level:
            stack.pop()
        (stack[-1].children if stack else roots).append(rec)
        stack.append(rec)
    return roots


def decode_para_text(payload: bytes) -> str:
    """Decode a PARA_TEXT payload, dropping controls and keeping tabs/line breaks."""
    count = len(payload) // 2
    units = struct.unpack(f"<{count}H", payload[: count * 2])
    parts: list[str] = []
    i = 0
    run_start = 0
    while i < count:
        code = units[i]
        if code >= 32:
            i += 1
            continue
        # Flush the plain run before this control; decoding whole runs keeps
        # surrogate pairs intact.
        if run_start < i:
            parts.append(payload[run_start * 2 : i * 2].decode("utf-16-le", "replace"))
        if code in _SINGLE_CHAR_CONTROLS:
            parts.append(_SINGLE_CHAR_CONTROLS[code])
            i += 1
        else:
            if code == _TAB:
                parts.append("\t")
            i += _CONTROL_WCHARS
        run_start = i
    if run_start < count:
        parts.append(payload[run_start * 2 : count * 2].decode("utf-16-le", "replace"))
    return clean_text("".join(parts))


def clean_text(text: str) -> str:
    """Drop control characters other than tab and newline; compose Hangul (NFC)."""
    return unicodedata.normalize("NFC", _STRAY_CONTROLS.sub("", text))


def tidy_paragraph(text: str) -> str:
    """A paragraph's text cleaned, trimmed, with blank lines from line breaks dropped."""
    lines = (line.strip() for line in clean_text(text).split("\n"))
    return "\n".join(line for line in lines if line)


def section_lines(roots: list[Record]) -> list[str]:
    """Text lines of one body section, in reading order."""
    return _list_lines(roots)


def _list_lines(nodes: list[Record]) -> list[str]:
    """Lines of every paragraph found in ``nodes`` (or below them), in order."""
    lines: list[str] = []
    for node in nodes:
        if node.tag == TAG_PARA_HEADER:
            lines.extend(_paragraph_lines(node))
        elif node.tag == TAG_CTRL_HEADER:
            lines.extend(_control_lines(node))
        else:
            lines.extend(_list_lines(node.children))
    return lines


def _paragraph_lines(para: Record) -> list[str]:
    """The paragraph's own text, then the text of objects anchored in it.

    Tables, text boxes, footnotes, headers… are anchored in a paragraph by an
    extended control; we put their text right after the paragraph rather than
    in the middle of it so that the paragraph's sentence stays whole.
    """
    lines: list[str] = []
    for child in para.children:
        if child.tag == TAG_PARA_TEXT:
            text = tidy_paragraph(decode_para_text(child.payload))
            if text:
                lines.append(text)
    # Controls, and anything else nested under the paragraph (some writers hang
    # lists of paragraphs directly on it), follow in order.
    lines.extend(_list_lines([child for child in para.children if child.tag != TAG_PARA_TEXT]))
    return lines


def _control_lines(ctrl: Record) -> list[str]:
    # The control id is stored as a little-endian 32-bit value, i.e. reversed.
    ctrl_id = ctrl.payload[:4][::-1]
    if ctrl_id == _CTRL_TABLE:
        return _table_lines(ctrl)
    return _list_lines(ctrl.children)


def _table_lines(ctrl: Record) -> list[str]:
    """Rows of a table control: a caption (before the TABLE record), then cells.

    Each cell is a LIST_HEADER followed by its paragraphs at the same level; the
    LIST_HEADER carries the cell's column (offset 8) and row (offset 10).
    """
    caption: list[Record] = []
    cells: list[tuple[int, int, list[Record]]] = []
    seen_table = False
    for child in ctrl.children:
        if child.tag == TAG_TABLE:
            seen_table = True
        elif child.tag == TAG_LIST_HEADER and seen_table:
            col, row = _cell_address(child.payload, fallback=len(cells))
            cells.append((row, col, []))
        elif child.tag == TAG_PARA_HEADER:
            (cells[-1][2] if cells else caption).append(child)
    rows: dict[int, list[tuple[int, str]]] = {}
    for row, col, paras in cells:
        rows.setdefault(row, []).append((col, "\n".join(_list_lines(paras))))
    ordered = [[text for _, text in sorted(rows[r], key=lambda c: c[0])] for r in sorted(rows)]
    return _list_lines(caption) + format_table(ordered)


def _cell_address(payload: bytes, fallback: int) -> tuple[int, int]:
    if len(payload) >= 12:
        col, row = struct.unpack_from("<HH", payload, 8)
        return col, row
    # Damaged cell header: keep the cell, each on its own row, rather than lose text.
    return 0, fallback


def format_table(rows: list[list[str]]) -> list[str]:
    """One line per row, cells joined by " | "; a one-cell table is just a text box.

    Cell text (its lines joined by "\n") is collapsed onto one line. A table with a
    single cell is almost always a frame around ordinary paragraphs, so its lines
    are kept as they are. A grid whose first row reads as column names (see
    ``_header_of``) gives every row of the same width its names, as the other
    formats do ("구분: 본인 결혼 | 경조 휴가: 5일 | 경조금: 100만 원"); rows of
    another width (merged cells) stay as they are.
    """
    if len(rows) == 1 and len(rows[0]) == 1:
        return [line for line in rows[0][0].split("\n") if line.strip()]
    flat = [[" ".join(cell.split()) for cell in row] for row in rows]
    header = _header_of(flat)
    lines = []
    for i, row in enumerate(flat):
        cells = list(row)
        while cells and not cells[-1]:
            cells.pop()  # trailing empty cells only add " | " noise
        if not cells:
            continue
        if header is not None and i > 0 and len(row) == len(header):
            lines.append(header_record(header, cells))
        else:
            lines.append(" | ".join(cells))
    return lines


MAX_HEADER_CELL_CHARS = 20
_DIGIT = re.compile(r"\d")


def _header_of(rows: list[list[str]]) -> list[str] | None:
    """The first row as column names, when the table is a grid under it: every cell
    of that row filled, short and without digits (a form's "보도일시 | 2018. 9. 4."
    is not a header), and at least two rows below of the same width."""
    if len(rows) < 3:
        return None
    first = rows[0]
    if len(first) < 2 or not all(
        cell and len(cell) <= MAX_HEADER_CELL_CHARS and not _DIGIT.search(cell) for cell in first
    ):
        return None
    same = sum(1 for row in rows[1:] if len(row) == len(first))
    return first if same >= 2 else None


TITLE_SCAN_LINES = 40  # a title is near the top; deeper lines are body text


def title_from_texts(texts: list[str], limit: int = 100) -> str:
    """Fallback title: the first line near the top that reads as one — not a table
    row, not a lone letter or number, not a word a form prints ("제목", "목차"),
    not a long sentence — whitespace collapsed; "" when none does (then the file
    name is used)."""
    seen = 0
    for text in texts:
        for line in text.split("\n"):
            title = _unspaced(" ".join(line.split()))
            if not title:
                continue
            seen += 1
            if seen > TITLE_SCAN_LINES:
                return ""
            if _reads_as_title(title, limit):
                return title
    return ""


def _unspaced(line: str) -> str:
    """A letter-spaced title ("입 법 예 고", as forms print them) as one word."""
    words = line.split()
    if len(words) >= 2 and all(len(w) == 1 and "가" <= w <= "힣" for w in words):
        return "".join(words)
    return line


def _reads_as_title(line: str, limit: int) -> bool:
    letters = sum(ch.isalpha() for ch in line)
    return (
        " | " not in line
        and letters >= 2
        and len(line) <= limit
        and bool(clean_title(line))
        and line.strip("□■○●◎◇◆-–—·※*[]()<> ").strip() not in _FORM_WORDS
    )


# Words a form or a template prints where the title will go, or at the top of a page.
_FORM_WORDS = frozenset(
    {
        "제목",
        "제 목",
        "목차",
        "목 차",
        "차례",
        "첨부",
        "붙임",
        "별첨",
        "별지",
        "서식",
        "내용",
        "문서번호",
        "수신",
        "발신",
        "참조",
        "작성자",
        "작성일",
        "결재",
    }
)


def metadata_title(value: str, limit: int = 100) -> str:
    """A metadata title cleaned up, or "" when it carries no words (e.g. "2")."""
    title = " ".join(clean_text(value).split())
    if not any(ch.isalpha() for ch in title):
        return ""
    return title[:limit].rstrip()
