"""HWPX (.hwpx, OWPML) parser.

An HWPX file is a zip: ``mimetype`` (application/hwp+zip), ``Contents/content.hpf``
(an OPF package: metadata, manifest, spine) and one XML file per body section,
``Contents/sectionN.xml``. A section is a list of ``<hp:p>`` paragraphs; a paragraph
holds ``<hp:run>``s whose ``<hp:t>`` pieces together make the paragraph's text, and
objects (tables, text boxes, pictures with captions, footnotes…) whose own
paragraphs sit in ``<hp:subList>``s. Namespace URIs differ between versions, so
elements are matched by local name only. The files are untrusted: the XML parser
resolves no entities and fetches nothing, and the total inflated size is capped.
"""

from __future__ import annotations

import logging
import posixpath
import re
import zipfile
import zlib
from pathlib import Path

from lxml import etree

from jisik.errors import ParseError
from jisik.ingest.parsers import _hwp_records as records
from jisik.types import ParsedDocument, Section

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
        with zipfile.ZipFile(path) as archive:
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
        root = _parse_xml(reader.read(name), name)
        sections.append(Section(text="\n".join(_lines(root)), location=f"section {number}"))
    title = reader.title or records.title_from_texts([s.text for s in sections])
    return ParsedDocument(title=title, sections=tuple(sections), format="hwpx")


class _Reader:
    """Reads zip members against one shared size budget (zip-bomb guard)."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = set(archive.namelist())
        self.budget = _MAX_INFLATED_BYTES
        self.title = ""

    def read(self, name: str) -> bytes:
        info = self.archive.getinfo(name)
        if info.flag_bits & 0x1:  # a zip-level encrypted member
            raise ParseError(_LOCKED_REASON)
        if info.file_size > self.budget:
            raise ParseError(_too_big())
        with self.archive.open(info) as member:
            # The declared size can lie, so read at most one byte past the budget.
            data = member.read(self.budget + 1)
        if len(data) > self.budget:
            raise ParseError(_too_big())
        self.budget -= len(data)
        return data


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


def _parse_xml(data: bytes, name: str) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
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
