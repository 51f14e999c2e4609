"""Plain text (.txt): decode whatever Korean offices save, keep it as one section."""

from __future__ import annotations

from pathlib import Path

from jisik.ingest.parsers._common import read_text
from jisik.types import ParsedDocument, Section

MAX_TITLE_CHARS = 80


def parse(path: Path) -> ParsedDocument:
    text = read_text(path)
    return ParsedDocument(
        title=_title(text),
        sections=(Section(text=text, location="text"),),
        format="txt",
    )


def _title(text: str) -> str:
    """The first non-empty line, when it is short enough to be a title."""
    for line in text.split("\n"):
        line = line.strip()
        if line:
            return line if len(line) <= MAX_TITLE_CHARS else ""
    return ""
