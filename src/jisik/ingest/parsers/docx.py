"""Word (.docx): body paragraphs and tables in document order, cut at headings.

Headers and footers are skipped on purpose: they repeat on every page and
would only add noise to search.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.document import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from jisik.ingest.parsers._common import (
    OOXML_ERRORS,
    SPANNED,
    SectionBuilder,
    check_ooxml,
    clean_title,
    collapse_spaces,
    normalize_text,
    ooxml_error,
    render_table,
)
from jisik.types import ParsedDocument

_KIND = "DOCX"
_ERRORS: tuple[type[BaseException], ...] = (*OOXML_ERRORS, PackageNotFoundError)
_HEADING_STYLE = re.compile(r"^(heading|제목)\s*(\d)?\s*$", re.IGNORECASE)
_BODY_OUTLINE_LEVEL = 9  # w:outlineLvl 9 means "body text", not a heading
_MAX_STYLE_CHAIN = 16
# Runs sit directly in the paragraph or inside these wrappers; inserted text
# (tracked changes) counts, deleted text lives in w:delText and never matches.
_RUN_XPATH = (
    "./w:r | ./w:hyperlink/w:r | ./w:ins/w:r | ./w:smartTag/w:r | ./w:fldSimple/w:r"
    " | ./w:sdt/w:sdtContent/w:r | ./w:hyperlink/w:ins/w:r"
)


def parse(path: Path) -> ParsedDocument:
    check_ooxml(path, _KIND)
    try:
        document = docx.Document(str(path))
        builder = SectionBuilder()
        first_heading = _read_body(document, builder)
        title = clean_title(document.core_properties.title) or first_heading
    except _ERRORS as exc:
        raise ooxml_error(_KIND, exc) from exc
    return ParsedDocument(title=title, sections=builder.build(), format="docx")


def _read_body(document: Document, builder: SectionBuilder) -> str:
    """Feed the body to ``builder``; return the first Title/Heading 1 text for the title."""
    first_heading = ""
    for block in _blocks(document.element.body, document):
        if isinstance(block, Table):
            for row in _table_rows(block):
                builder.add(row)
            continue
        text = paragraph_text(block)
        level = _heading_level(block)
        if level is None:
            builder.add(text)
            continue
        builder.heading(level, text)
        if level == 1 and not first_heading:
            first_heading = collapse_spaces(text)
    return first_heading


def _blocks(container: object, parent: object) -> Iterator[Paragraph | Table]:
    """Paragraphs and tables in document order, looking inside content controls."""
    for child in container.iterchildren():  # type: ignore[attr-defined]
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent)  # type: ignore[arg-type]
        elif child.tag == qn("w:tbl"):
            yield Table(child, parent)  # type: ignore[arg-type]
        elif child.tag == qn("w:sdt"):
            for content in child.iterchildren(qn("w:sdtContent")):
                yield from _blocks(content, parent)


def paragraph_text(paragraph: Paragraph) -> str:
    runs = paragraph._p.xpath(_RUN_XPATH)
    return normalize_text("".join(Run(r, paragraph).text for r in runs))


def _heading_level(paragraph: Paragraph) -> int | None:
    """1-9 for headings (Title counts as 1), None for body text.

    Style names come first; the outline level catches custom heading styles
    and Korean templates whose styles have other names.
    """
    style = paragraph.style
    name = (style.name or "").strip() if style is not None else ""
    if name.lower() == "title":
        return 1
    match = _HEADING_STYLE.match(name)
    if match:
        return int(match.group(2) or 1)
    level = _outline_level(paragraph._p)
    style_element = style.element if style is not None else None
    for _ in range(_MAX_STYLE_CHAIN):  # bounded: a damaged file may chain styles in a cycle
        if level is not None or style_element is None:
            break
        level = _outline_level(style_element)
        based_on = style_element.xpath("./w:basedOn/@w:val")
        style_element = _style_by_id(style_element, based_on[0]) if based_on else None
    if level is None or level >= _BODY_OUTLINE_LEVEL:
        return None
    return level + 1


def _outline_level(element: object) -> int | None:
    values = element.xpath("./w:pPr/w:outlineLvl/@w:val")  # type: ignore[attr-defined]
    return int(values[0]) if values and values[0].isdigit() else None


def _style_by_id(style: object, style_id: str) -> object | None:
    """A sibling of ``style`` in w:styles by its id (styles inherit via w:basedOn)."""
    styles = style.getparent()  # type: ignore[attr-defined]
    if styles is None or not style_id.isidentifier():  # the id goes into an XPath string
        return None
    found = styles.xpath(f"./w:style[@w:styleId='{style_id}']")
    return found[0] if found else None


def _table_rows(table: Table) -> Iterator[str]:
    """One line per row, with its column names below a header row (``render_table``)."""
    yield from render_table(_table_grid(table))


def _table_grid(table: Table) -> list[list[object]]:
    """The table's cells on its grid: a cell merged across columns is followed by
    SPANNED for each column it covers; one merged down from the row above repeats that
    row's text, so that every row can be read (and quoted) on its own."""
    rows: list[list[object]] = []
    above: dict[int, str] = {}
    for tr in table._tbl.tr_lst:
        row: list[object] = []
        for tc in tr.tc_lst:
            column = len(row)
            if tc.vMerge == "continue":
                text = above.get(column, "")
            else:
                text = _cell_text(_Cell(tc, table))
            above[column] = text
            row.append(text)
            row.extend([SPANNED] * (max(1, tc.grid_span) - 1))
        rows.append(row)
    return rows


def _cell_text(cell: _Cell) -> str:
    """A cell's paragraphs and nested tables on one line."""
    parts: list[str] = []
    for block in _blocks(cell._tc, cell):
        if isinstance(block, Table):
            parts.extend(_table_rows(block))
        else:
            parts.append(paragraph_text(block))
    return collapse_spaces(" ".join(parts))
