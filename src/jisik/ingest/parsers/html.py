"""HTML: Lexbor (selectolax) DOM walked in document order, sections cut at h1-h6."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from selectolax.lexbor import LexborHTMLParser, LexborNode

from jisik.errors import ParseError
from jisik.ingest.parsers._common import (
    SPANNED,
    SectionBuilder,
    collapse_spaces,
    decode_bytes,
    normalize_text,
    read_bytes,
    render_table,
)
from jisik.types import ParsedDocument

# Boilerplate that is not the page's content; head only holds the title, read apart.
_DROP = frozenset({"script", "style", "nav", "noscript", "template", "head", "svg", "iframe"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = frozenset(
    """address article aside blockquote body caption dd details dialog div dl dt fieldset
    figcaption figure footer form header hgroup hr html legend li main menu ol option p
    section summary table tbody td tfoot th thead tr ul""".split()
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Spans as browsers clamp them, lower: a hostile colspan must not make a million cells.
MAX_COLSPAN = 100
MAX_ROWSPAN = 1000
_MAX_NESTING = 20  # headings/tables read structurally; deeper ones as flat text
# Lexbor's time grows with the square of the nesting depth (20,000 nested <div>s
# took 0.5 s, 100,000 over 30 s; 10,000 take 0.1 s); real pages nest a few dozen deep.
MAX_DEPTH = 10_000
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]{0,30})\b[^<>]*?(/?)>")
# Elements that never hold others open: void ones, and those whose end tag may be
# left out (the next one closes them), which unclosed would only seem deep.
_FLAT = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "option",
        "optgroup",
        "thead",
        "tbody",
        "tfoot",
        "colgroup",
        "caption",
        "rb",
        "rt",
        "rp",
        "html",
        "head",
        "body",
    }
)


class _Sink(Protocol):
    def add(self, line: str) -> None: ...
    def heading(self, level: int, text: str) -> None: ...


class _LineSink:
    """Collects lines only; used for text inside a heading or a table cell."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        self.lines.append(line)

    def heading(self, level: int, text: str) -> None:
        self.lines.append(text)


def parse(path: Path) -> ParsedDocument:
    text = _decode(read_bytes(path))
    _check_depth(text)
    tree = LexborHTMLParser(text)
    builder = SectionBuilder()
    if tree.root is not None:
        _walk(tree.root, builder)
    return ParsedDocument(title=_title(tree), sections=builder.build(), format="html")


def _check_depth(text: str) -> None:
    """Refuse markup nested deeper than MAX_DEPTH, by counting open tags (an upper
    bound of the tree's depth: what a browser closes implicitly is counted open)."""
    depth = 0
    for match in _TAG.finditer(text):
        closing, name, self_closing = match.groups()
        if self_closing or name.lower() in _FLAT:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        if depth > MAX_DEPTH:
            raise ParseError(
                f"HTML nested more than {MAX_DEPTH} elements deep (real pages nest a few "
                "dozen); refused, since reading it takes time growing with the square of the depth"
            )


def _decode(data: bytes) -> str:
    """BOM first, then the charset the page declares, then the plain-text rules."""
    if data.startswith(_BOMS):
        return decode_bytes(data)
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            encoding = codecs.lookup(declared.group(1).decode("ascii")).name
            # EUC-KR pages routinely use CP949-only syllables; CP949 is its superset.
            if encoding == "euc_kr":
                encoding = "cp949"
            return normalize_text(data.decode(encoding))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declaration is common; detect instead
    return decode_bytes(data)


def _title(tree: LexborHTMLParser) -> str:
    for selector in ("head > title", "title", "h1"):
        node = tree.css_first(selector)
        if node is not None:
            text = _inline_text(node, depth=1)
            if text:
                return text
    return ""


def _children(node: LexborNode) -> Iterator[LexborNode]:
    child = node.first_child
    while child is not None:
        yield child
        child = child.next


def _hidden(node: LexborNode) -> bool:
    attrs = node.attributes
    return (
        "hidden" in attrs
        or attrs.get("aria-hidden") == "true"
        or bool(_DISPLAY_NONE.search(attrs.get("style") or ""))
    )


def _walk(root: LexborNode, sink: _Sink, depth: int = 0) -> None:
    """Depth-first, with an explicit stack so deeply nested pages cannot overflow.

    ``depth`` counts the headings and tables we are inside, which recurse."""
    inline: list[str] = []

    def flush() -> None:
        line = collapse_spaces("".join(inline))
        inline.clear()
        if line:
            sink.add(line)

    stack: list[tuple[LexborNode, bool]] = [(c, False) for c in reversed(list(_children(root)))]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            flush()
            continue
        tag = node.tag or ""
        if tag == "-text":
            inline.append(node.text_content or "")
            continue
        if tag.startswith(("-", "!")) or tag in _DROP or _hidden(node):
            continue  # comments, doctype, boilerplate
        if tag in _HEADINGS:
            flush()
            sink.heading(int(tag[1]), _inline_text(node, depth + 1))
        elif tag == "table":
            flush()
            for row in _table_rows(node, depth + 1):
                sink.add(row)
        elif tag == "pre":
            flush()
            for line in (node.text(deep=True) or "").split("\n"):
                sink.add(line)
        elif tag == "br":
            flush()
        else:
            if tag in _BLOCKS:
                flush()
                stack.append((node, True))
            stack.extend((c, False) for c in reversed(list(_children(node))))
    flush()


def _inline_text(node: LexborNode, depth: int) -> str:
    if depth > _MAX_NESTING:  # tables in tables in ...: flatten the rest, don't recurse
        return collapse_spaces(node.text(deep=True, separator=" ") or "")
    sink = _LineSink()
    _walk(node, sink, depth)
    return collapse_spaces(" ".join(sink.lines))


def _table_rows(table: LexborNode, depth: int) -> Iterator[str]:
    """The caption, then one line per row with its column names below a header row;
    rows of nested tables show inside their cell."""
    caption = table.css_first("caption")
    if caption is not None and _owns(table, caption):
        text = _inline_text(caption, depth)
        if text:
            yield text
    yield from render_table(_table_grid(table, depth))


def _table_grid(table: LexborNode, depth: int) -> list[list[object]]:
    """Cells on the table's grid: colspan leaves SPANNED in the columns a cell covers,
    rowspan repeats its text in the rows below (each row reads on its own)."""
    grid: list[list[object]] = []
    carried: dict[int, tuple[int, object]] = {}  # column -> (rows left, value)

    def take_carried(row: list[object]) -> None:
        while len(row) in carried:
            left, value = carried.pop(len(row))
            row.append(value)
            if left > 1:
                carried[len(row) - 1] = (left - 1, value)

    for tr in table.css("tr"):
        if not _owns(table, tr):
            continue
        row: list[object] = []
        for cell in _children(tr):
            if cell.tag not in ("td", "th"):
                continue
            take_carried(row)
            text = _inline_text(cell, depth)
            columns = _span(cell, "colspan", MAX_COLSPAN)
            rows_down = _span(cell, "rowspan", MAX_ROWSPAN)
            for i, value in enumerate([text] + [SPANNED] * (columns - 1)):
                row.append(value)
                if rows_down > 1:
                    carried[len(row) - 1] = (rows_down - 1, value if i == 0 else SPANNED)
        take_carried(row)
        grid.append(row)
    return grid


def _span(cell: LexborNode, name: str, limit: int) -> int:
    value = (cell.attributes.get(name) or "").strip()
    return min(int(value), limit) if value.isdigit() and int(value) > 0 else 1


def _owns(table: LexborNode, node: LexborNode) -> bool:
    """True when ``table`` is the nearest table around ``node``."""
    parent = node.parent
    while parent is not None and parent.tag != "table":
        parent = parent.parent
    return parent is not None and parent.mem_id == table.mem_id
