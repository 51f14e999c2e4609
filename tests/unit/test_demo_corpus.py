"""The demo corpus: every file is written, opens with its format's library, says what the
corpus records say (no mojibake in the PDFs), answers each sample question in exactly one
document, and is byte-for-byte reproducible."""

from __future__ import annotations

import itertools
import re
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pypdf
import pytest
from lxml import etree
from reportlab.pdfbase import pdfmetrics

from jisik.demo.corpus import (
    DEMO_DOCUMENTS,
    SAMPLE_QUESTIONS,
    DemoDocument,
    DemoQuestion,
    write_demo_corpus,
)
from jisik.demo.writers import DEMO_TIMESTAMP, HWPX_MIMETYPE, runs, wrap_text

HP = "{http://www.hancom.co.kr/hwpml/2011/paragraph}"
HS = "{http://www.hancom.co.kr/hwpml/2011/section}"
OPF = "{http://www.idpf.org/2007/opf/}"
OCF = "{urn:oasis:names:tc:opendocument:xmlns:container}"
HANGUL = re.compile(r"[가-힣]")
DOCS_BY_PATH = {doc.path: doc for doc in DEMO_DOCUMENTS}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    write_demo_corpus(root)
    return root


@pytest.fixture(scope="module")
def texts(corpus: Path) -> dict[str, str]:
    """Whitespace-normalised extracted text of every file, by corpus path."""
    return {doc.path: normalize(extract_text(corpus / doc.path)) for doc in DEMO_DOCUMENTS}


def normalize(text: str) -> str:
    return " ".join(text.split())


def hwpx_paragraphs(root: etree._Element) -> list[str]:
    """Each <hp:p>'s text: its own runs joined with no separator (table cells are their own)."""
    paragraphs = []
    for p in root.iter(f"{HP}p"):
        own = [t.text or "" for t in p.iter(f"{HP}t") if next(t.iterancestors(f"{HP}p")) is p]
        paragraphs.append("".join(own))
    return paragraphs


def extract_text(path: Path) -> str:
    suffix = path.suffix
    if suffix == ".md":
        return path.read_text(encoding="utf-8")
    if suffix == ".docx":
        document = docx.Document(str(path))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if suffix == ".pdf":
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    if suffix == ".xlsx":
        workbook = openpyxl.load_workbook(path, read_only=True)
        lines = [
            " | ".join(str(v) for v in row if v is not None)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        ]
        workbook.close()
        return "\n".join(lines)
    if suffix == ".hwpx":
        with zipfile.ZipFile(path) as archive:
            root = etree.fromstring(archive.read("Contents/section0.xml"))
        return "\n".join(hwpx_paragraphs(root))
    raise AssertionError(f"unexpected file {path}")


def expected_strings(doc: DemoDocument) -> list[str]:
    """Everything a document's record says, which its file's text must contain."""
    strings = [] if doc.format == "xlsx" else [doc.title]  # xlsx: title is in the properties
    for section in doc.sections:
        if doc.format != "xlsx":
            strings.append(section.heading)
        strings += ["".join(runs(p)) for p in section.paragraphs]
        if section.table is not None:
            strings += [*section.table.header, *(c for row in section.table.rows for c in row)]
    return [normalize(s) for s in strings]


# --- what is written -----------------------------------------------------------


def test_writes_every_document_and_returns_sorted_paths(tmp_path: Path) -> None:
    target = tmp_path / "not" / "yet" / "there"
    paths = write_demo_corpus(target)

    assert paths == sorted(paths)
    assert len(paths) >= 12
    assert {p.relative_to(target).as_posix() for p in paths} == set(DOCS_BY_PATH)
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)


def test_covers_every_format_and_area() -> None:
    formats = Counter(doc.format for doc in DEMO_DOCUMENTS)
    assert formats["md"] >= 4
    assert formats["docx"] >= 3
    assert formats["pdf"] >= 2
    assert formats["xlsx"] >= 2
    assert formats["hwpx"] >= 2
    assert {doc.path.split("/")[0] for doc in DEMO_DOCUMENTS} == {
        "hr",
        "security",
        "expenses",
        "it",
        "general",
    }
    assert all(doc.path.isascii() and doc.path.endswith("." + doc.format) for doc in DEMO_DOCUMENTS)


def test_record_rejects_a_path_that_does_not_match_its_format() -> None:
    with pytest.raises(ValueError):
        DemoDocument("hr/leave.md", "연차", "pdf", ())
    with pytest.raises(ValueError):
        DemoDocument("hr/연차.md", "연차", "md", ())
    with pytest.raises(ValueError):
        DemoDocument("../escape.md", "연차", "md", ())


@pytest.mark.parametrize("doc", DEMO_DOCUMENTS, ids=lambda d: d.path)
def test_file_text_contains_everything_the_record_says(
    doc: DemoDocument, texts: dict[str, str]
) -> None:
    text = texts[doc.path]
    missing = [s for s in expected_strings(doc) if s not in text]
    assert not missing, f"{doc.path}: not in the extracted text: {missing[:3]}"


# --- each format is valid -------------------------------------------------------


def test_docx_files_have_title_headings_and_tables(corpus: Path) -> None:
    docs = [d for d in DEMO_DOCUMENTS if d.format == "docx"]
    for doc in docs:
        document = docx.Document(str(corpus / doc.path))
        styles = [p.style.name for p in document.paragraphs]
        assert styles[0] == "Title"
        assert document.paragraphs[0].text == doc.title
        assert "Heading 1" in styles
        assert document.core_properties.title == doc.title
        assert document.core_properties.created.replace(tzinfo=None) == DEMO_TIMESTAMP
        assert document.core_properties.modified.replace(tzinfo=None) == DEMO_TIMESTAMP
    assert any(docx.Document(str(corpus / d.path)).tables for d in docs)
    assert any(
        "Heading 2" in (p.style.name for p in docx.Document(str(corpus / d.path)).paragraphs)
        for d in docs
    )


def test_pdf_files_extract_korean_text_and_one_spans_pages(corpus: Path) -> None:
    page_counts = {}
    for doc in (d for d in DEMO_DOCUMENTS if d.format == "pdf"):
        reader = pypdf.PdfReader(corpus / doc.path)
        page_counts[doc.path] = len(reader.pages)
        assert reader.metadata is not None and reader.metadata.title == doc.title
        text = reader.pages[0].extract_text()
        assert HANGUL.search(text), f"{doc.path}: no Hangul extracted"
        assert "\ufffd" not in text and "(cid:" not in text
    assert max(page_counts.values()) >= 2
    paged = [d for d in DEMO_DOCUMENTS if any(s.page_break_before for s in d.sections)]
    assert paged and all(page_counts[d.path] >= 2 for d in paged)


def test_pdf_wrapping_respects_width_and_keeps_every_character() -> None:
    font = "HYSMyeongJo-Medium"
    spaced = "연차휴가는 한빛 워크플로의 휴가 신청 메뉴에서 신청하고 팀장의 승인을 받습니다. " * 4
    unspaced = "개인정보보호책임자" * 12  # one long word: must break inside it
    for text in (spaced.strip(), unspaced):
        lines = wrap_text(text, font, 10.5, 200)
        assert len(lines) > 1
        assert all(pdfmetrics.stringWidth(line, font, 10.5) <= 200 for line in lines)
    assert " ".join(wrap_text(spaced.strip(), font, 10.5, 200)) == spaced.strip()
    assert "".join(wrap_text(unspaced, font, 10.5, 200)) == unspaced


def test_xlsx_files_have_header_rows_on_every_sheet(corpus: Path) -> None:
    for doc in (d for d in DEMO_DOCUMENTS if d.format == "xlsx"):
        workbook = openpyxl.load_workbook(corpus / doc.path)
        assert len(workbook.worksheets) >= 2
        assert workbook.sheetnames == [s.heading for s in doc.sections]
        for sheet, section in zip(workbook.worksheets, doc.sections, strict=True):
            assert section.table is not None
            rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
            assert rows[0] == section.table.header
            assert rows[1:] == list(section.table.rows)
        assert workbook.properties.title == doc.title
        assert workbook.properties.modified == DEMO_TIMESTAMP


def test_hwpx_files_are_valid_owpml_packages(corpus: Path) -> None:
    for doc in (d for d in DEMO_DOCUMENTS if d.format == "hwpx"):
        with zipfile.ZipFile(corpus / doc.path) as archive:
            assert archive.testzip() is None
            first = archive.infolist()[0]
            assert first.filename == "mimetype"
            assert first.compress_type == zipfile.ZIP_STORED
            assert archive.read("mimetype") == HWPX_MIMETYPE.encode()
            container = etree.fromstring(archive.read("META-INF/container.xml"))
            rootfile = container.find(f"{OCF}rootfiles/{OCF}rootfile")
            assert rootfile is not None and rootfile.get("full-path") == "Contents/content.hpf"
            package = etree.fromstring(archive.read("Contents/content.hpf"))
            assert package.findtext(f"{OPF}metadata/{OPF}title") == doc.title
            hrefs = {i.get("href") for i in package.iterfind(f"{OPF}manifest/{OPF}item")}
            assert "Contents/section0.xml" in hrefs and "Contents/header.xml" in hrefs
            spine = [i.get("idref") for i in package.iterfind(f"{OPF}spine/{OPF}itemref")]
            assert "section0" in spine
            etree.fromstring(archive.read("Contents/header.xml"))
            section = etree.fromstring(archive.read("Contents/section0.xml"))
        assert section.tag == f"{HS}sec"
        assert section.findall(f"{HP}p/{HP}run/{HP}t")
        cells = section.findall(f".//{HP}tbl/{HP}tr/{HP}tc/{HP}subList/{HP}p/{HP}run/{HP}t")
        assert cells, f"{doc.path}: no table"


def test_a_hwpx_paragraph_splits_a_word_across_runs(corpus: Path) -> None:
    split_words = []
    for doc in (d for d in DEMO_DOCUMENTS if d.format == "hwpx"):
        with zipfile.ZipFile(corpus / doc.path) as archive:
            section = etree.fromstring(archive.read("Contents/section0.xml"))
        for p in section.iter(f"{HP}p"):
            texts = [r.findtext(f"{HP}t") or "" for r in p.findall(f"{HP}run")]
            for left, right in itertools.pairwise(texts):
                if left and right and HANGUL.match(left[-1]) and HANGUL.match(right[0]):
                    split_words.append((doc.path, left, right))
    assert split_words, "no paragraph splits a word across two <hp:run> elements"
    text = extract_text(corpus / "security/incident-reporting.hwpx")
    assert "모든 보안사고는 발견 즉시" in text


# --- sample questions -----------------------------------------------------------


def test_sample_questions_are_korean_and_each_about_another_document() -> None:
    # An English question would need a cross-lingual embedder stronger than the
    # offline default; the demo shows what the default install does well.
    assert len(SAMPLE_QUESTIONS) == 5
    assert all(isinstance(q, DemoQuestion) for q in SAMPLE_QUESTIONS)
    assert all(HANGUL.search(q.question) for q in SAMPLE_QUESTIONS)
    assert len({q.expected_file for q in SAMPLE_QUESTIONS}) == 5


@pytest.mark.parametrize("question", SAMPLE_QUESTIONS, ids=lambda q: q.expected_file)
def test_sample_answer_is_stated_in_exactly_one_document(
    question: DemoQuestion, texts: dict[str, str]
) -> None:
    assert question.expected_file in DOCS_BY_PATH
    holders = [path for path, text in texts.items() if question.expected_phrase in text]
    assert holders == [question.expected_file]


# --- reproducible ---------------------------------------------------------------


def test_writing_twice_gives_identical_bytes(tmp_path: Path) -> None:
    def snapshot(target: Path) -> dict[Path, bytes]:
        return {p.relative_to(target): p.read_bytes() for p in write_demo_corpus(target)}

    first = snapshot(tmp_path / "a")
    again = snapshot(tmp_path / "a")
    elsewhere = snapshot(tmp_path / "b")
    assert again == first
    assert elsewhere == first


def test_zip_entries_carry_a_fixed_date_not_the_clock(corpus: Path) -> None:
    # Same-second runs would match anyway; this pins the date so later runs do too.
    fixed = DEMO_TIMESTAMP.timetuple()[:6]
    for doc in (d for d in DEMO_DOCUMENTS if d.format in ("docx", "xlsx", "hwpx")):
        with zipfile.ZipFile(corpus / doc.path) as archive:
            assert {info.date_time for info in archive.infolist()} == {fixed}, doc.path
    for doc in (d for d in DEMO_DOCUMENTS if d.format == "pdf"):
        metadata = pypdf.PdfReader(corpus / doc.path).metadata
        assert metadata is not None and metadata.creation_date is not None
        assert metadata.creation_date.date() != date.today()  # reportlab's invariant mode
