"""HWPX (.hwpx, OWPML) parser.

An HWPX file is a zip: ``mimetype`` (application/hwp+zip), ``Contents/content.hpf``
(an OPF package: metadata, manifest, spine) and one XML file per body section,
``Contents/sectionN.xml``. A section is a list of ``<hp:p>`` paragraphs; a paragraph
holds ``<hp:run>``s whose ``<hp:t>`` pieces together make the paragraph's text, and
objects (tables, text boxes, pictures with captions, footnotes…) whose own
paragraphs sit in ``<hp:subList>``s. Namespace URIs differ between versions, so
elements are matched by local name only. The files are untrusted: the XML parser
resolves no entities and fetches nothing, the zip's entries pass the zip-bomb
limits (``_common.zip_archive``) and the total inflated size is capped. Section
files, the only big parts, are parsed as a stream: one top-level paragraph (with
the tables and boxes anchored in it) is in memory at a time.
"""

from __future__ import annotations

import logging
import posixpath
import re
import zipfile
import zlib
from pathlib import Path
from typing import Self

from lxml import etree

from jisik.errors import ParseError
from jisik.ingest import ocr
from jisik.ingest.parsers import _hwp_records as records
from jisik.ingest.parsers._common import zip_archive
from jisik.ingest.parsers._hwp_outline import outline_sections
from jisik.types import ParsedDocument

logger = logging.getLogger(__name__)

_MIMETYPE = "application/hwp+zip"
_PACKAGE_FILE = "Contents/content.hpf"
_MANIFEST_FILE = "META-INF/manifest.xml"
_SECTION_FILE = re.compile(r"Contents/section(\d+)\.xml")
_SECTION_HREF = re.compile(r"(?:.*/)?section\d+\.xml", re.IGNORECASE)

# Inflated bytes we read from one file at most; real documents are far below this.
_MAX_INFLATED_BYTES = 200 * 1024 * 1024

_LOCKED_REASON = (
    "password-protected HWPX file: remove the password in Hancom Office and add that file"
)

# Inline elements inside <hp:t> that stand for a character.
_INLINE_CHARS = {"tab": "\t", "lineBreak": "\n", "fwSpace": " ", "nbSpace": " ", "hyphen": "-"}

# What zipfile raises on damaged archives and members it cannot inflate.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OSError,
)


def parse(path: Path) -> ParsedDocument:
    try:
        with zip_archive(path, "HWPX", _is_section) as archive:
            return _parse_archive(archive)
    except zipfile.BadZipFile as exc:
        raise ParseError(
            "not a valid HWPX file (it is not a zip archive, or the zip is damaged)"
        ) from exc
    except _ZIP_ERRORS as exc:
        raise ParseError(f"damaged HWPX file (the zip cannot be read: {exc})") from exc
    except RecursionError as exc:
        raise ParseError("damaged HWPX file: objects are nested too deeply to read") from exc


def _parse_archive(archive: zipfile.ZipFile) -> ParsedDocument:
    reader = _Reader(archive)
    _check_package(reader)
    names = _section_names(reader)
    sections = []
    for number, name in enumerate(names, start=1):
        lines = _section_lines(reader, name)
        sections.extend(outline_sections(lines, number))
    if not any(s.text.strip() for s in sections) and ocr.available():
        sections = ocr.picture_sections(_pictures(reader)) or sections
    title = reader.title or records.title_from_texts([s.text for s in sections])
    return ParsedDocument(title=title, sections=tuple(sections), format="hwpx")


def _pictures(reader: _Reader):
    """The embedded pictures (BinData/…), in name order, read against the budget."""
    for name in sorted(reader.names):
        if name.startswith("BinData/") and name.lower().endswith(ocr.PICTURE_SUFFIXES):
            yield reader.read(name)


class _Reader:
    """Reads zip members against one shared size budget (zip-bomb guard)."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = set(archive.namelist())
        self.budget = _MAX_INFLATED_BYTES
        self.title = ""

    def read(self, name: str) -> bytes:
        with self.open(name) as member:
            return member.read()

    def open(self, name: str) -> _Member:
        info = self.archive.getinfo(name)
        if info.flag_bits & 0x1:  # a zip-level encrypted member
            raise ParseError(_LOCKED_REASON)
        if info.file_size > self.budget:
            raise ParseError(_too_big())
        return _Member(self, self.archive.open(info))


class _Member:
    """A zip member read against the reader's budget, whole or as a stream."""

    def __init__(self, reader: _Reader, stream) -> None:
        self.reader, self.stream = reader, stream

    def read(self, size: int = -1) -> bytes:
        # The declared size can lie, so never read more than one byte past the budget.
        budget = self.reader.budget
        data = self.stream.read(budget + 1 if size < 0 else min(size, budget + 1))
        if len(data) > budget:
            raise ParseError(_too_big())
        self.reader.budget -= len(data)
        return data

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.close()


def _too_big() -> str:
    return "refusing HWPX file: its content inflates to more than 200 MB (likely a zip bomb)"


def _check_package(reader: _Reader) -> None:
    """Check the mimetype (when present) and refuse encrypted packages."""
    if "mimetype" in reader.names:
        mimetype = reader.read("mimetype").decode("ascii", "replace").strip()
        if mimetype != _MIMETYPE:
            raise ParseError(
                f"not an HWPX file: its mimetype is '{mimetype[:60]}', not '{_MIMETYPE}'"
            )
    # Password-protected HWPX keeps ODF-style encryption data in the manifest and
    # scrambled section files, which would otherwise surface as "malformed XML".
    if _MANIFEST_FILE in reader.names and b"encryption-data" in reader.read(_MANIFEST_FILE):
        raise ParseError(_LOCKED_REASON)


def _section_names(reader: _Reader) -> list[str]:
    """Section files in reading order: from the package's spine, else by number."""
    if _PACKAGE_FILE in reader.names:
        listed = _sections_from_package(reader)
        if listed:
            return listed
    numbered = sorted(
        (int(m.group(1)), name) for name in reader.names if (m := _SECTION_FILE.fullmatch(name))
    )
    if not numbered:
        raise ParseError("damaged HWPX file: it has no body section (Contents/section*.xml)")
    return [name for _, name in numbered]


def _sections_from_package(reader: _Reader) -> list[str]:
    """Read title and section order from content.hpf; [] if it cannot be used."""
    try:
        root = _parse_xml(reader.read(_PACKAGE_FILE), _PACKAGE_FILE)
    except ParseError as exc:
        # The package file only orders sections; listing them is a fine fallback.
        logger.warning("ignoring unreadable %s: %s", _PACKAGE_FILE, exc)
        return []
    hrefs: dict[str, str] = {}
    spine: list[str] = []
    for elem in root.iter():
        name = _local(elem)
        if name == "title" and not reader.title:
            reader.title = records.metadata_title(elem.text or "")
        elif name == "item" and _SECTION_HREF.fullmatch(elem.get("href", "")):
            hrefs[elem.get("id", "")] = elem.get("href", "")
        elif name == "itemref":
            spine.append(elem.get("idref", ""))
    ordered = [hrefs[idref] for idref in spine if idref in hrefs] or list(hrefs.values())
    return [_resolve(reader, href) for href in ordered]


def _resolve(reader: _Reader, href: str) -> str:
    """A manifest href as a zip member name (hrefs are root- or package-relative)."""
    candidates = (href, posixpath.normpath(posixpath.join(posixpath.dirname(_PACKAGE_FILE), href)))
    for candidate in candidates:
        if candidate in reader.names:
            return candidate
    raise ParseError(f"damaged HWPX file: body section '{href}' is listed but missing from the zip")


# No entities resolved, no DTD or network fetches, libxml2's own size and depth
# limits kept (huge_tree=False: text nodes up to 10 MB, 256 levels of nesting).
_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def _is_section(name: str) -> bool:
    return bool(_SECTION_HREF.fullmatch(name))


def _section_lines(reader: _Reader, name: str) -> list[str]:
    """Lines of one section file, parsed as a stream: each top-level element is
    read when it ends and then dropped, so memory holds one paragraph at a time."""
    lines: list[str] = []
    root = None
    try:
        with reader.open(name) as member:
            for event, elem in etree.iterparse(member, events=("start", "end"), **_PARSER_OPTIONS):
                if event == "start":
                    root = elem if root is None else root
                    continue
                if elem.getparent() is root and root is not None:
                    lines.extend(_element_lines(elem))
                    elem.clear(keep_tail=False)
                    while elem.getprevious() is not None:
                        del root[0]
    except etree.XMLSyntaxError as exc:
        if root is None and "empty" in str(exc).lower():
            raise ParseError(f"damaged HWPX file: {name} is empty") from exc
        raise ParseError(f"damaged HWPX file: {name} is not well-formed XML ({exc})") from exc
    return lines


def _parse_xml(data: bytes, name: str) -> etree._Element:
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"damaged HWPX file: {name} is not well-formed XML ({exc})") from exc
    if root is None:
        raise ParseError(f"damaged HWPX file: {name} is empty")
    return root


def _local(elem: etree._Element) -> str:
    # Entities left unresolved have a non-string tag; they carry no text we want.
    return etree.QName(elem).localname if isinstance(elem.tag, str) else ""


def _lines(elem: etree._Element) -> list[str]:
    """Text lines of every paragraph at or below ``elem``'s children, in order."""
    lines: list[str] = []
    for child in elem:
        lines.extend(_element_lines(child))
    return lines


def _element_lines(elem: etree._Element) -> list[str]:
    name = _local(elem)
    if name == "p":
        return _paragraph_lines(elem)
    if name == "tbl":
        return _table_lines(elem)
    return _lines(elem)


def _paragraph_lines(para: etree._Element) -> list[str]:
    """The paragraph's own text, then the text of objects anchored in it.

    Runs are concatenated with nothing in between: a change of character shape can
    fall in the middle of a word. Anchored objects (tables, text boxes, footnotes)
    come after the paragraph so that its sentence stays whole.
    """
    pieces: list[str] = []
    anchored: list[str] = []
    for child in para:
        if _local(child) != "run":
            anchored.extend(_element_lines(child))
            continue
        for item in child:
            if _local(item) == "t":
                pieces.append(_run_text(item))
            else:
                anchored.extend(_element_lines(item))
    own = records.tidy_paragraph("".join(pieces))
    return ([own] if own else []) + anchored


def _run_text(t: etree._Element) -> str:
    """Text of one <hp:t>, with inline tabs/line breaks/special spaces as characters."""
    parts = [t.text or ""]
    for child in t:
        # Markers such as markpenBegin/insertBegin carry no text of their own; the
        # text that follows them is their tail. Unresolved entities contribute nothing.
        name = _local(child)
        if name:
            parts.append(_INLINE_CHARS.get(name, child.text or ""))
        parts.append(child.tail or "")
    return "".join(parts)


def _table_lines(tbl: etree._Element) -> list[str]:
    """Caption lines, then one " | "-joined line per row (nested tables flattened)."""
    caption: list[str] = []
    rows: list[list[str]] = []
    for child in tbl:
        name = _local(child)
        if name == "tr":
            rows.append(["\n".join(_lines(cell)) for cell in child if _local(cell) == "tc"])
        elif name == "caption":
            caption.extend(_lines(child))
    return caption + records.format_table(rows)
