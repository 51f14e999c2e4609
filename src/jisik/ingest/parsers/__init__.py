"""Parsers: one module per format, picked by file extension from a closed registry.

Each module exposes ``parse(path: Path) -> ParsedDocument`` and raises
:class:`jisik.errors.ParseError` with a reason a person can act on
("encrypted", "not a valid DOCX file (zip is damaged)", …).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from jisik.errors import ParseError, UnsupportedFormatError
from jisik.types import ParsedDocument

# extension -> module in this package. A new format is one module plus one line here.
_REGISTRY: dict[str, str] = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".pptx": "pptx",
    ".xlsx": "xlsx",
    ".csv": "csv",
    ".hwpx": "hwpx",
    ".hwp": "hwp",
}

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_REGISTRY)


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in _REGISTRY


def parse(path: Path) -> ParsedDocument:
    """Parse one file, or raise ParseError saying why it cannot be used."""
    suffix = path.suffix.lower()
    module_name = _REGISTRY.get(suffix)
    if module_name is None:
        supported = ", ".join(sorted(_REGISTRY))
        raise UnsupportedFormatError(
            f"unsupported file type '{suffix or '(none)'}'; supported: {supported}"
        )
    module = importlib.import_module(f"{__name__}.{module_name}")
    parsed: ParsedDocument = module.parse(path)
    sections = tuple(s for s in parsed.sections if s.text.strip())
    if not sections:
        raise ParseError("no text found in the file (empty, or only images/scans)")
    if not parsed.title.strip():
        parsed = ParsedDocument(title=path.stem, sections=sections, format=parsed.format)
    elif len(sections) != len(parsed.sections):
        parsed = ParsedDocument(title=parsed.title, sections=sections, format=parsed.format)
    return parsed
