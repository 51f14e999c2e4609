"""Markdown: sections cut at ATX and setext headings, markup stripped for search.

A small line scanner rather than a full CommonMark parser: we only need the
heading structure and readable text, and a scanner never fails on odd input.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from jisik.ingest.parsers._common import (
    SectionBuilder,
    collapse_spaces,
    header_record,
    read_text,
)
from jisik.text.analyzer import MAX_WINDOW_CHARS, windows
from jisik.types import ParsedDocument, Section

# Several of the patterns below take time quadratic in a line's length on odd
# input (a line of 20,000 "*a " took 2 s, so 1 MB would take over an hour). Lines
# longer than this are plain paragraph text, and inline markup is stripped from a
# long line window by window; no real heading or table row is this long.
LONG_LINE_CHARS = 4000

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_LIST_ITEM = re.compile(r"^\s*([-*+]|\d{1,9}[.)])\s+")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+.*$")
_FRONT_MATTER_TITLE = re.compile(r"^title:\s*(.*?)\s*$", re.IGNORECASE)

_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_IMAGE = re.compile(r"!\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_LINK = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_STRONG = re.compile(r"(?<!\\)(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS_STAR = re.compile(r"(?<![\\*])\*(?=[^\s*])(.+?)(?<=[^\s\\*])\*(?!\*)")
# Underscores only emphasize at the edges of ASCII words, so snake_case names
# survive while Korean "_강조_합니다" (particles glued to the word) is unwrapped.
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![\\A-Za-z0-9_])_(?=\S)(.+?)(?<=\S)_(?![A-Za-z0-9_])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def parse(path: Path) -> ParsedDocument:
    text = read_text(path)
    front_title, text = _split_front_matter(text)
    text = _drop_comments(text)
    sections, first_h1 = _scan(text.split("\n"))
    return ParsedDocument(title=front_title or first_h1, sections=sections, format="md")


def _drop_comments(text: str) -> str:
    """HTML comments removed, an unclosed one kept as text, in one pass (the regex
    ``<!--.*?-->`` rescanned to the end from every unclosed opener: quadratic)."""
    if "<!--" not in text:
        return text
    parts, at = [], 0
    while (start := text.find("<!--", at)) != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            break
        parts.append(text[at:start])
        at = end + 3
    parts.append(text[at:])
    return "".join(parts)


def _split_front_matter(text: str) -> tuple[str, str]:
    """YAML front matter's ``title:`` and the text without the front matter."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return "", text
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            title = ""
            for line in lines[1:end]:
                match = _FRONT_MATTER_TITLE.match(line)
                if match:
                    title = collapse_spaces(match.group(1).strip("'\""))
                    break
            return title, "\n".join(lines[end + 1 :])
    return "", text  # no closing fence: it was a thematic break, not front matter


class _Scanner:
    """Walks the lines once, tracking code fences and the open paragraph."""

    def __init__(self) -> None:
        self.builder = SectionBuilder()
        self.first_h1 = ""
        self.fence = ""  # the opening fence while inside a code block
        self.paragraph: list[str] = []  # raw lines of the open paragraph
        self.in_table = False  # inside a table, rows need no leading pipe
        self.header: list[str] = []  # the column names of the table being read
        self.table_rows = 0  # rows read of that table, and its first one
        self.first_row: list[str] = []
        self.setext_ok = False  # only a plain top-level paragraph can be a setext heading

    def feed(self, line: str) -> None:
        if self.fence:
            self._in_fence(line)
            return
        if len(line) > LONG_LINE_CHARS:
            if not self.paragraph:
                self.setext_ok = False
            self.paragraph.append(line)
            return
        fence = _FENCE.match(line)
        if fence:
            self._close_paragraph()
            self.fence = fence.group(1)
            return
        atx = _ATX.match(line)
        if atx:
            self._close_paragraph()
            self._heading(len(atx.group(1)), atx.group(2) or "")
            return
        setext = _SETEXT.match(line)
        if setext and self.paragraph and self.setext_ok:
            # The open paragraph was a heading: "=" underlines level 1, "-" level 2.
            raw, self.paragraph = " ".join(s.strip() for s in self.paragraph), []
            self._heading(1 if setext.group(1)[0] == "=" else 2, raw)
            return
        self._block_line(line)

    def finish(self) -> None:
        self._close_paragraph()

    def _in_fence(self, line: str) -> None:
        marker = line.strip()
        if set(marker) == {self.fence[0]} and len(marker) >= len(self.fence):
            self.fence = ""  # a closing fence: the same character, at least as long
        else:
            self.builder.add(line)  # code is kept verbatim: people search for identifiers

    def _block_line(self, line: str, quoted: bool = False) -> None:
        stripped = line.strip()
        if not stripped or _THEMATIC_BREAK.match(line) or _LINK_DEFINITION.match(line):
            self._close_paragraph()
            self.in_table = False
            self.header = []
        elif "|" in stripped and _TABLE_SEPARATOR.match(stripped):
            # The line above a separator is the header row, even without pipes at its ends.
            if len(self.paragraph) == 1 and "|" in self.paragraph[0]:
                self.header = _table_cells(self.paragraph.pop())
                self.builder.add(" | ".join(self.header))
            elif self.table_rows == 1:  # "| a | b |" was read as the table's first row
                self.header = self.first_row
            self._close_paragraph()
            self.in_table = True
        elif "|" in stripped and (self.in_table or stripped.startswith("|")):
            self._close_paragraph()
            cells = _table_cells(stripped)
            if not self.in_table:
                self.table_rows, self.first_row = 0, cells
            self.table_rows += 1
            # Below a header, each row carries its column names ("구분: 경조 | 일수: 5").
            self.builder.add(
                header_record(self.header, cells) if self.header else " | ".join(cells)
            )
            self.in_table = True
        elif stripped.startswith(">"):
            self._close_paragraph()
            self._block_line(stripped.lstrip(">"), quoted=True)
        elif _LIST_ITEM.match(line):
            self._close_paragraph()
            self.paragraph.append(stripped)
            self.setext_ok = False
        else:
            if not self.paragraph:
                self.setext_ok = not quoted
            self.paragraph.append(line)

    def _close_paragraph(self) -> None:
        if self.paragraph:
            self.builder.add(_paragraph_text(self.paragraph))
            self.paragraph = []

    def _heading(self, level: int, raw: str) -> None:
        text = collapse_spaces(strip_inline(raw))
        self.in_table = False
        self.header = []
        if level == 1 and not self.first_h1:
            self.first_h1 = text
        self.builder.heading(level, text)


def _scan(lines: list[str]) -> tuple[tuple[Section, ...], str]:
    scanner = _Scanner()
    for line in lines:
        scanner.feed(line)
    scanner.finish()
    return scanner.builder.build(), scanner.first_h1


def _paragraph_text(lines: list[str]) -> str:
    """Soft-wrapped lines join with a space; a hard break (two spaces, "\\") keeps its newline."""
    parts: list[str] = []
    for i, line in enumerate(lines):
        hard_break = line.endswith(("  ", "\\"))
        text = strip_inline(line.strip().rstrip("\\"))
        last = i == len(lines) - 1
        parts.append(text + ("" if last else "\n" if hard_break else " "))
    return "".join(parts)


def _table_cells(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [collapse_spaces(strip_inline(cell)) for cell in cells]


def strip_inline(text: str) -> str:
    """Remove inline markup but keep the words; code spans are left as they are."""
    if len(text) > MAX_WINDOW_CHARS:
        return "".join(_strip_inline(text[a:b]) for a, b in windows(text))
    return _strip_inline(text)


def _strip_inline(text: str) -> str:
    pieces = []
    last = 0
    for match in _INLINE_CODE.finditer(text):
        pieces.append(_strip_markup(text[last : match.start()]))
        pieces.append(match.group(2).strip())
        last = match.end()
    pieces.append(_strip_markup(text[last:]))
    return "".join(pieces)


def _strip_markup(text: str) -> str:
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    for pattern in (_STRONG, _STRIKE):
        text = pattern.sub(lambda m: m.group(m.lastindex or 0), text)
    text = _EMPHASIS_STAR.sub(r"\1", text)
    text = _EMPHASIS_UNDERSCORE.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    return html.unescape(text)
