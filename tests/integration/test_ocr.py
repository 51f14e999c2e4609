"""Scanned pages: OCR reads pages that are only a picture (extra jisik[ocr]).

The scans are rendered here from text the test writes, with a Korean font from
Debian's fonts-nanum; Tesseract and its Korean data come from Debian too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jisik.errors import ParseError
from jisik.ingest import ocr
from jisik.ingest.parsers import pdf

FONT = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
needs_ocr = pytest.mark.skipif(
    not (ocr.available() and FONT.is_file()),
    reason="needs pytesseract, tesseract-ocr-kor and fonts-nanum",
)

PAGES = [
    ["사내 건강검진 안내", "검진 기간은 10월 13일부터 24일까지입니다.", "문의는 인사팀 내선 2040"],
    ["Parking policy", "Visitors park on level B2.", "주차 등록은 총무팀에서 합니다."],
]


def scanned_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A PDF whose pages are pictures of text: no text layer at all."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), 40)
    images = []
    for lines in pages:
        image = Image.new("L", (1600, 900), 255)
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(lines):
            draw.text((80, 80 + 110 * i), line, font=font, fill=0)
        images.append(image.convert("RGB"))
    images[0].save(path, "PDF", resolution=150, save_all=True, append_images=images[1:])
    return path


@needs_ocr
def test_scanned_pages_are_read_with_their_page_numbers(tmp_path: Path):
    doc = pdf.parse(scanned_pdf(tmp_path / "scan.pdf", PAGES))
    assert [s.location for s in doc.sections] == ["p. 1 (OCR)", "p. 2 (OCR)"]
    first = doc.sections[0].text.replace(" ", "")
    assert "건강검진" in first and "10월13일" in first and "2040" in first
    assert "Visitors" in doc.sections[1].text and "B2" in doc.sections[1].text


@needs_ocr
def test_scanned_pdf_is_searchable_end_to_end(tmp_path: Path, jisik):
    scanned_pdf(tmp_path / "scan.pdf", PAGES)
    report = jisik.add([tmp_path / "scan.pdf"])
    assert report.added == 1, report.failed
    hits = jisik.search("건강검진 기간", 3, "lexical")
    assert hits and hits[0].location == "p. 1 (OCR)"


def test_without_ocr_a_scan_is_refused_with_the_fix(tmp_path: Path, monkeypatch):
    pytest.importorskip("PIL")
    if not FONT.is_file():
        pytest.skip("needs fonts-nanum to draw the scan")
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(ParseError, match=r"jisik\[ocr\].*tesseract-ocr-kor"):
        pdf.parse(scanned_pdf(tmp_path / "scan.pdf", PAGES[:1]))


@needs_ocr
def test_an_hwpx_that_is_only_a_picture_is_read(tmp_path: Path):
    import io

    from PIL import Image, ImageDraw, ImageFont

    from jisik.ingest.parsers import hwpx
    from tests.unit.test_parsers_hwp import package, para, section_xml, write_hwpx

    image = Image.new("L", (1600, 500), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 40)
    for i, line in enumerate(PAGES[0]):
        draw.text((80, 60 + 110 * i), line, font=font, fill=0)
    png = io.BytesIO()
    image.save(png, "PNG")
    path = write_hwpx(
        tmp_path / "scan.hwpx",
        {
            "Contents/content.hpf": package("", ["section0.xml"]),
            "Contents/section0.xml": section_xml(para("")),
            "BinData/image1.png": png.getvalue(),
        },
    )
    doc = hwpx.parse(path)
    assert [s.location for s in doc.sections] == ["image 1 (OCR)"]
    assert "건강검진" in doc.sections[0].text.replace(" ", "")
