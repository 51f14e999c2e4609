"""PDF: pypdf's text layer, one section per page ("p. 3")."""

from __future__ import annotations

import logging
import re
import struct
import zlib
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

from jisik.errors import ParseError
from jisik.ingest import ocr
from jisik.ingest.parsers._common import (
    clean_title,
    join_lines,
    normalize_text,
    require_nonempty,
)
from jisik.types import ParsedDocument, Section

logger = logging.getLogger(__name__)

# What pypdf raises on damaged files besides its own errors: it indexes, unpacks
# and inflates whatever the file claims, so malformed input surfaces as these.
_BROKEN_PDF_ERRORS: tuple[type[BaseException], ...] = (
    PyPdfError,
    NotImplementedError,  # a stream filter pypdf does not know, often a damaged name
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    AssertionError,
    struct.error,
    zlib.error,
    RecursionError,
    OSError,
)


def parse(path: Path) -> ParsedDocument:
    require_nonempty(path)
    try:
        reader = PdfReader(path)
        _unlock(reader)
        sections = _page_sections(reader, path)
        title = _title(reader)
    except ParseError:
        raise
    except DependencyError as exc:
        # AES-encrypted PDFs need the optional `cryptography` package, even with no password.
        raise ParseError(
            "encrypted PDF (AES); install the 'cryptography' package or remove the encryption"
        ) from exc
    except FileNotDecryptedError as exc:
        raise _password_error() from exc
    except _BROKEN_PDF_ERRORS as exc:
        raise ParseError(f"not a valid PDF file: {exc or type(exc).__name__}") from exc
    if not sections:
        raise ParseError(f"no text layer: {ocr.MISSING}")
    return ParsedDocument(title=title, sections=sections, format="pdf")


def _unlock(reader: PdfReader) -> None:
    """Many PDFs are 'encrypted' only to restrict printing: the user password is empty."""
    if reader.is_encrypted and not reader.decrypt(""):
        raise _password_error()


def _password_error() -> ParseError:
    return ParseError("password-protected PDF; remove the password and add it again")


def _page_sections(reader: PdfReader, path: Path) -> tuple[Section, ...]:
    """One section per page with text. A page that fails is skipped, not fatal.
    A page without a text layer is read by OCR when it is installed."""
    sections: list[Section] = []
    failed = 0
    can_read_pictures = ocr.available()
    for number, page in enumerate(reader.pages, 1):
        try:
            raw = page.extract_text()
        except (FileNotDecryptedError, DependencyError):
            raise
        except _BROKEN_PDF_ERRORS as exc:
            failed += 1
            logger.warning(
                "%s: skipped page %d, its text is unreadable: %s", path.name, number, exc
            )
            continue
        lines = normalize_text((raw or "").replace("\x00", "")).split("\n")
        text = join_lines(reflow([line.strip() for line in lines]))  # leading spaces are layout
        if text:
            sections.append(Section(text=text, location=f"p. {number}"))
        elif can_read_pictures:
            scanned = _scanned_text(page, path, number)
            if scanned:
                sections.append(Section(text=scanned, location=f"p. {number} (OCR)"))
    if failed and not sections:
        raise ParseError("not a valid PDF file: the text of its pages cannot be read")
    return tuple(sections)


def _scanned_text(page, path: Path, number: int) -> str:
    """The text OCR reads in a page's pictures (a scan is one picture per page)."""
    try:
        pictures = [picture.data for picture in page.images]
    except _BROKEN_PDF_ERRORS as exc:
        logger.warning("%s: page %d has pictures that cannot be read: %s", path.name, number, exc)
        return ""
    texts = ocr.read_pictures(pictures)
    return normalize_text("\n".join(t for t in texts if t)).strip()


_SENTENCE_END = re.compile(r"[.!?。:;)\]」』]$|(다|요|음|함|됨|임)[.]?$")
_LIST_ITEM = re.compile(r"^([-•·▪○●※*]|\d+[.)]|[가-하][.)]|\(\d+\))\s")
WRAP_FRACTION = 0.75


def reflow(lines: list[str]) -> list[str]:
    """Join the visual lines of a wrapped paragraph back into one line.

    PDF text comes line by line as laid out on the page; a newline there is not
    a sentence boundary. A line is joined to the next when it is nearly as long
    as the longest line of the page and does not end a sentence, and the next
    line does not start a list item.
    """
    width = max((len(line) for line in lines), default=0)
    out: list[str] = []
    joining = False
    for line in lines:
        if joining and line and not _LIST_ITEM.match(line):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        current = out[-1] if out else ""
        joining = bool(
            line
            and len(line) >= WRAP_FRACTION * width
            and not _SENTENCE_END.search(current)
        )
    return out


def _title(reader: PdfReader) -> str:
    """The metadata title, unless a tool filled it with a filename or "Untitled"."""
    try:
        metadata = reader.metadata
        title = metadata.title if metadata is not None else None
    except _BROKEN_PDF_ERRORS:
        return ""  # metadata is optional; a damaged info dictionary is no reason to fail
    return clean_title(title if isinstance(title, str) else None)
