"""Excel (.xlsx): one section per sheet, hidden sheets included, cached values only."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from jisik.ingest.parsers._common import (
    OOXML_ERRORS,
    check_ooxml,
    clean_title,
    collapse_spaces,
    normalize_text,
    ooxml_error,
    render_table,
)
from jisik.types import ParsedDocument, Section

logger = logging.getLogger(__name__)

_KIND = "XLSX"
_ERRORS = (*OOXML_ERRORS, InvalidFileException)
MAX_ROWS = 200_000


def _streamed(name: str) -> bool:
    # read-only workbooks parse sheets as a stream, at any size
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def parse(path: Path) -> ParsedDocument:
    check_ooxml(path, _KIND, _streamed)
    try:
        # data_only: the values Excel last calculated, not formulas, are what people read.
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except _ERRORS as exc:
        raise ooxml_error(_KIND, exc) from exc
    try:
        # read-only sheets parse lazily, so damage can surface while iterating
        sections = tuple(_sheet_section(sheet, path) for sheet in workbook.worksheets)
        title = clean_title(workbook.properties.title)
    except _ERRORS as exc:
        raise ooxml_error(_KIND, exc) from exc
    finally:
        workbook.close()  # read-only workbooks keep the zip open until closed
    return ParsedDocument(title=title, sections=sections, format="xlsx")


def _sheet_section(sheet: object, path: Path) -> Section:
    name = sheet.title  # type: ignore[attr-defined]
    text = "\n".join(render_table(_read_rows(sheet, path), format_cell))
    return Section(text=text, location=f"sheet {name}", heading=name)


def _read_rows(sheet: object, path: Path) -> list[tuple[object, ...]]:
    """Non-empty rows as raw values, at most MAX_ROWS of them."""
    # Some writers record a wrong used range ("A1"); forget it and read what is there.
    reset = getattr(sheet, "reset_dimensions", None)
    if reset is not None:
        reset()
    rows: list[tuple[object, ...]] = []
    for row in sheet.iter_rows(values_only=True):  # type: ignore[attr-defined]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        if len(rows) >= MAX_ROWS:
            name = sheet.title  # type: ignore[attr-defined]
            logger.warning("%s: sheet %r stopped after %d rows", path.name, name, MAX_ROWS)
            break
        rows.append(row)
    return rows


def format_cell(value: object) -> str:
    """A cell as a person reads it: 15 not 15.0, dates in ISO, text on one line."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"  # 0.1 + 0.2 shows as 0.3, as Excel does
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds" if value.second else "minutes")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (int, Decimal)):
        return str(value)
    return collapse_spaces(normalize_text(str(value)))
