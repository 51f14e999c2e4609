"""PowerPoint (.pptx): one section per slide, shapes in reading order, then notes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pptx
from pptx.exc import PackageNotFoundError
from pptx.shapes.autoshape import Shape
from pptx.shapes.base import BaseShape
from pptx.shapes.graphfrm import GraphicFrame
from pptx.shapes.group import GroupShape
from pptx.slide import Slide

from jisik.ingest.parsers._common import (
    OOXML_ERRORS,
    check_ooxml,
    clean_title,
    collapse_spaces,
    join_cells,
    join_lines,
    normalize_text,
    ooxml_error,
)
from jisik.types import ParsedDocument, Section

_KIND = "PPTX"
_ERRORS: tuple[type[BaseException], ...] = (*OOXML_ERRORS, PackageNotFoundError)
# Shapes whose tops differ by less than this (¼ inch, in EMU) share a visual row
# and are read left to right, so a two-column layout is not read zig-zag.
_ROW_TOLERANCE_EMU = 228_600
NOTES_LABEL = "노트:"


def parse(path: Path) -> ParsedDocument:
    check_ooxml(path, _KIND)
    try:
        presentation = pptx.Presentation(str(path))
        sections = tuple(_slide_section(slide, n) for n, slide in enumerate(presentation.slides, 1))
        title = clean_title(presentation.core_properties.title)
    except _ERRORS as exc:
        raise ooxml_error(_KIND, exc) from exc
    if not title:
        title = sections[0].heading if sections else ""
    return ParsedDocument(title=title, sections=sections, format="pptx")


def _slide_section(slide: Slide, number: int) -> Section:
    lines = list(_shapes_text(slide.shapes))
    notes = _notes_text(slide)
    if notes:
        lines += [NOTES_LABEL, notes]
    return Section(text=join_lines(lines), location=f"slide {number}", heading=_slide_title(slide))


def _slide_title(slide: Slide) -> str:
    title = slide.shapes.title
    if title is None or not title.has_text_frame:
        return ""
    return collapse_spaces(normalize_text(title.text_frame.text))


def _notes_text(slide: Slide) -> str:
    if not slide.has_notes_slide:
        return ""
    frame = slide.notes_slide.notes_text_frame
    return _frame_text(frame) if frame is not None else ""


def _shapes_text(shapes: Iterable[BaseShape]) -> Iterator[str]:
    """Text of shapes top to bottom, left to right; groups are read as a unit."""
    for shape in _reading_order(shapes):
        if isinstance(shape, GroupShape):
            yield from _shapes_text(shape.shapes)
        elif isinstance(shape, Shape) and shape.has_text_frame:
            yield _frame_text(shape.text_frame)
        elif isinstance(shape, GraphicFrame) and shape.has_table:
            for row in shape.table.rows:
                line = join_cells(
                    _frame_text(cell.text_frame) for cell in row.cells if not cell.is_spanned
                )
                if line:
                    yield line


def _frame_text(frame: object) -> str:
    # python-pptx writes a line break inside a paragraph (a:br) as "\v".
    return normalize_text(frame.text.replace("\v", "\n"))  # type: ignore[attr-defined]


def _reading_order(shapes: Iterable[BaseShape]) -> list[BaseShape]:
    by_top = sorted(shapes, key=lambda s: (_top(s), _left(s)))
    ordered: list[BaseShape] = []
    row: list[BaseShape] = []
    for shape in by_top:
        if row and _top(shape) - _top(row[0]) > _ROW_TOLERANCE_EMU:
            ordered += sorted(row, key=_left)
            row = []
        row.append(shape)
    return ordered + sorted(row, key=_left)


def _top(shape: BaseShape) -> int:
    return shape.top or 0  # placeholders inherit positions; a few shapes have none


def _left(shape: BaseShape) -> int:
    return shape.left or 0
