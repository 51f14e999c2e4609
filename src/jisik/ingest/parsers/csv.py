"""CSV: decode like text (CP949 is common), sniff the delimiter, render rows."""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

from jisik.errors import ParseError
from jisik.ingest.parsers._common import read_text, render_table
from jisik.types import ParsedDocument, Section

logger = logging.getLogger(__name__)

MAX_ROWS = 200_000
SNIFF_CHARS = 64 * 1024
DELIMITERS = ",\t;"


def parse(path: Path) -> ParsedDocument:
    text = read_text(path)
    rows = _read_rows(text, _sniff_delimiter(text), path)
    lines = render_table(rows)
    return ParsedDocument(
        title="",
        sections=(Section(text="\n".join(lines), location="table"),),
        format="csv",
    )


def _sniff_delimiter(text: str) -> str:
    """Comma, tab or semicolon; comma when the sniffer cannot tell (e.g. one column)."""
    try:
        return csv.Sniffer().sniff(text[:SNIFF_CHARS], delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _read_rows(text: str, delimiter: str, path: Path) -> list[list[str]]:
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if not any(cell.strip() for cell in row):
                continue
            if len(rows) >= MAX_ROWS:
                logger.warning("%s: stopped after %d rows", path.name, MAX_ROWS)
                break
            rows.append(row)
    except csv.Error as exc:
        raise ParseError(f"not a valid CSV file: {exc}") from exc
    return rows
