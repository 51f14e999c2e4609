"""Render demo documents to Markdown, DOCX, PDF, XLSX and HWPX files.

Deterministic: metadata dates are pinned to DEMO_TIMESTAMP, zip entries to a fixed date.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from docx import Document
from lxml import etree
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

if TYPE_CHECKING:
    from jisik.demo.corpus import DemoDocument, DemoTable, Paragraph

DEMO_TIMESTAMP = datetime(2024, 3, 1, 9, 0, 0)
DEMO_AUTHOR = "한빛테크 주식회사"
HWPX_MIMETYPE = "application/hwp+zip"
_PDF_FONT = "HYSMyeongJo-Medium"  # Adobe CID font built into reportlab: no font files
_HS = "http://www.hancom.co.kr/hwpml/2011/section"
_HP = "http://www.hancom.co.kr/hwpml/2011/paragraph"


def runs(paragraph: Paragraph) -> tuple[str, ...]:
    return (paragraph,) if isinstance(paragraph, str) else paragraph


# --- Markdown ---
def write_markdown(doc: DemoDocument, path: Path) -> None:
    lines = [f"# {doc.title}", ""]
    for section in doc.sections:
        lines += [f"{'#' * (section.level + 1)} {section.heading}", ""]
        lines += [line for p in section.paragraphs for line in ("".join(runs(p)), "")]
        if (table := section.table) is not None:
            lines += [_md_row(table.header), _md_row("---" for _ in table.header)]
            lines += [*map(_md_row, table.rows), ""]
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8", newline="\n")


def _md_row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


# --- DOCX ---
def write_docx(doc: DemoDocument, path: Path) -> None:
    document = Document()
    props = document.core_properties
    props.title, props.author, props.last_modified_by = doc.title, DEMO_AUTHOR, DEMO_AUTHOR
    props.created = props.modified = props.last_printed = DEMO_TIMESTAMP
    props.revision, props.language = 1, "ko-KR"
    document.add_heading(doc.title, level=0)  # the "Title" style
    for section in doc.sections:
        document.add_heading(section.heading, level=section.level)
        for paragraph in section.paragraphs:
            para = document.add_paragraph()
            for i, text in enumerate(runs(paragraph)):
                para.add_run(text).bold = i % 2 == 1 or None
        if section.table is not None:
            table = document.add_table(rows=1, cols=len(section.table.header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, section.table.header, strict=True):
                cell.paragraphs[0].add_run(text).bold = True
            for values in section.table.rows:
                for cell, text in zip(table.add_row().cells, values, strict=True):
                    cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    _normalize_zip(buffer.getvalue(), path)


# --- PDF ---
def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy wrapping by rendered width: at spaces where it can, inside a word where it must."""

    def fits(s: str) -> bool:
        return bool(pdfmetrics.stringWidth(s, font, size) <= width)

    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if fits(candidate):
            current = candidate
            continue
        if current:
            lines.append(current)
        while len(word) > 1 and not fits(word):
            cut = len(word) - 1
            while cut > 1 and not fits(word[:cut]):
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


class _PdfLayout:
    """A top-down cursor over the A4 pages of one canvas."""

    margin = 64.0

    def __init__(self, path: Path, title: str) -> None:
        if _PDF_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(_PDF_FONT))
        self.top, self.width = A4[1] - self.margin, A4[0] - 2 * self.margin
        self.y = self.top
        self.canvas = Canvas(str(path), pagesize=A4, invariant=1)
        self.canvas.setTitle(title)
        self.canvas.setAuthor(DEMO_AUTHOR)

    def page_break(self) -> None:
        self.canvas.showPage()
        self.y = self.top

    def ensure(self, height: float) -> None:
        if self.y - height < self.margin:
            self.page_break()

    def text(self, text: str, size: float, before: float = 0.0) -> None:
        leading = size * 1.6
        self.ensure(before + leading)
        self.y -= before
        for line in wrap_text(text, _PDF_FONT, size, self.width):
            self.ensure(leading)
            self.y -= leading
            self.canvas.setFont(_PDF_FONT, size)
            self.canvas.drawString(self.margin, self.y, line)

    def table(self, table: DemoTable, size: float = 9.5) -> None:
        leading, col_width = size * 1.5, self.width / len(table.header)
        self.y -= 6
        for index, row in enumerate((table.header, *table.rows)):
            cells = [wrap_text(c, _PDF_FONT, size, col_width - 8) for c in row]
            height = leading * max(len(c) for c in cells) + 4
            self.ensure(height)
            self.canvas.setFont(_PDF_FONT, size)
            for col, lines in enumerate(cells):
                x = self.margin + col * col_width + 4
                for n, line in enumerate(lines):
                    self.canvas.drawString(x, self.y - leading * (n + 1), line)
            self.y -= height
            if index == 0:
                self.canvas.line(self.margin, self.y + 2, self.margin + self.width, self.y + 2)
        self.y -= leading / 2


def write_pdf(doc: DemoDocument, path: Path) -> None:
    layout = _PdfLayout(path, doc.title)
    layout.text(doc.title, 18)
    for section in doc.sections:
        if section.page_break_before:
            layout.page_break()
        layout.text(section.heading, 14 if section.level == 1 else 12, before=14)
        for paragraph in section.paragraphs:
            layout.text("".join(runs(paragraph)), 10.5, before=4)
        if section.table is not None:
            layout.table(section.table)
    layout.canvas.showPage()
    layout.canvas.save()


# --- XLSX ---
def write_xlsx(doc: DemoDocument, path: Path) -> None:
    """One sheet per section: the section heading names the sheet, row 1 is the header."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for section in doc.sections:
        if section.table is None or section.paragraphs:
            raise ValueError(f"{doc.path}: an xlsx section must be exactly one table")
        sheet = workbook.create_sheet(title=section.heading)
        for values in (section.table.header, *section.table.rows):
            sheet.append(list(values))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for col, values in enumerate(
            zip(section.table.header, *section.table.rows, strict=True), 1
        ):
            width = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in v) for v in values)
            sheet.column_dimensions[get_column_letter(col)].width = min(width + 2, 60)
    props = workbook.properties
    props.title, props.creator, props.lastModifiedBy = doc.title, DEMO_AUTHOR, DEMO_AUTHOR
    props.created = props.modified = DEMO_TIMESTAMP
    buffer = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook() would stamp "modified" with now().
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    _normalize_zip(buffer.getvalue(), path)


# --- HWPX (Hancom OWPML) ---
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
_HWPX_PARTS = {
    "version.xml": _DECL + '<hv:HCFVersion xmlns:hv="http://www.hancom.co.kr/hwpml/2011/version"'
    ' tagetApplication="WORDPROCESSOR" major="5" minor="1" micro="0" xmlVersion="1.4"/>',
    "META-INF/container.xml": _DECL + '<ocf:container xmlns:ocf="urn:oasis:names:tc:opendocument'
    ':xmlns:container"><ocf:rootfiles><ocf:rootfile full-path="Contents/content.hpf"'
    ' media-type="application/hwpml-package+xml"/></ocf:rootfiles></ocf:container>',
    "Contents/content.hpf": _DECL + '<opf:package xmlns:opf="http://www.idpf.org/2007/opf/"'
    ' version="" unique-identifier="" id=""><opf:metadata><opf:title>{title}</opf:title>'
    '<opf:language>ko</opf:language><opf:meta name="creator" content="text">{author}</opf:meta>'
    '</opf:metadata><opf:manifest><opf:item id="header" href="Contents/header.xml"'
    ' media-type="application/xml"/><opf:item id="section0" href="Contents/section0.xml"'
    ' media-type="application/xml"/></opf:manifest><opf:spine><opf:itemref idref="header"'
    ' linear="yes"/><opf:itemref idref="section0" linear="yes"/></opf:spine></opf:package>',
    # Character shapes 0 (plain) and 1 (bold); paragraph styles 0 (body) and 1 (heading).
    "Contents/header.xml": _DECL + '<hh:head xmlns:hh="http://www.hancom.co.kr/hwpml/2011/head"'
    ' version="1.4" secCnt="1"><hh:refList><hh:charProperties itemCnt="2"><hh:charPr id="0"/>'
    '<hh:charPr id="1"><hh:bold/></hh:charPr></hh:charProperties><hh:styles itemCnt="2">'
    '<hh:style id="0" type="PARA" name="바탕글" engName="Normal"/>'
    '<hh:style id="1" type="PARA" name="개요 1" engName="Outline 1"/></hh:styles></hh:refList>'
    "</hh:head>",
}


def write_hwpx(doc: DemoDocument, path: Path) -> None:
    """A minimal OWPML package: ``mimetype`` first and stored, then the XML parts."""
    fields = {"title": escape(doc.title), "author": escape(DEMO_AUTHOR)}
    section = etree.tostring(_hwpx_section(doc), encoding="UTF-8", xml_declaration=False)
    deflated = zipfile.ZIP_DEFLATED
    entries = [("mimetype", HWPX_MIMETYPE.encode("ascii"), zipfile.ZIP_STORED)]
    entries += [(n, x.format(**fields).encode(), deflated) for n, x in _HWPX_PARTS.items()]
    _write_zip(path, [*entries, ("Contents/section0.xml", _DECL.encode() + section, deflated)])


def _el(parent: etree._Element, tag: str, text: str = "", **attrib: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{_HP}}}{tag}", attrib)
    if text:
        element.text = text
    return element


_P_ATTRS = {"paraPrIDRef": "0", "pageBreak": "0", "columnBreak": "0", "merged": "0"}


def _hwpx_section(doc: DemoDocument) -> etree._Element:
    root = etree.Element(f"{{{_HS}}}sec", nsmap={"hs": _HS, "hp": _HP})
    ids = iter(range(1 << 30))

    def para(parent: etree._Element, paragraph: Paragraph, style: str = "0") -> etree._Element:
        p = _el(parent, "p", id=str(next(ids)), styleIDRef=style, **_P_ATTRS)
        for i, text in enumerate(runs(paragraph)):  # odd runs bold, as in the other writers
            _el(_el(p, "run", charPrIDRef=str(i % 2)), "t", text)
        return p

    para(root, doc.title, style="1")
    for section in doc.sections:
        para(root, section.heading, style="1")
        for paragraph in section.paragraphs:
            para(root, paragraph)
        if section.table is None:
            continue
        rows = (section.table.header, *section.table.rows)
        shape = {"rowCnt": str(len(rows)), "colCnt": str(len(rows[0])), "cellSpacing": "0"}
        tbl = _el(_el(para(root, ()), "run", charPrIDRef="0"), "tbl", id=str(next(ids)), **shape)
        for r, values in enumerate(rows):
            tr = _el(tbl, "tr")
            for c, text in enumerate(values):
                tc = _el(tr, "tc", header=str(int(r == 0)))
                para(_el(tc, "subList", textDirection="HORIZONTAL", vertAlign="CENTER"), text)
                _el(tc, "cellAddr", colAddr=str(c), rowAddr=str(r))
                _el(tc, "cellSpan", colSpan="1", rowSpan="1")
    return root


# --- zip helpers ---
def _write_zip(path: Path, entries: Iterable[tuple[str, bytes, int]]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data, compression in entries:
            info = zipfile.ZipInfo(name, date_time=DEMO_TIMESTAMP.timetuple()[:6])
            info.compress_type, info.create_system, info.external_attr = compression, 0, 0
            archive.writestr(info, data)


def _normalize_zip(data: bytes, path: Path) -> None:
    """Rewrite a library-made zip with fixed entry dates, keeping order and compression."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = [(i.filename, source.read(i), i.compress_type) for i in source.infolist()]
    _write_zip(path, entries)


WRITERS: dict[str, Callable[[DemoDocument, Path], None]] = {
    "md": write_markdown,
    "docx": write_docx,
    "pdf": write_pdf,
    "xlsx": write_xlsx,
    "hwpx": write_hwpx,
}
