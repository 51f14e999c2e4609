"""Parsers for txt, md, html, pdf, docx, pptx, xlsx and csv.

Every input is generated here, in tmp_path, with the same libraries people's
tools use (python-docx, python-pptx, openpyxl, reportlab), so no binary
fixtures live in the repository.
"""

from __future__ import annotations

import csv as stdlib_csv
import datetime as dt
import io
import logging
import unicodedata
import zipfile
from pathlib import Path

import docx
import openpyxl
import pptx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pptx.util import Inches
from pypdf import PdfReader, PdfWriter
from pypdf.errors import DependencyError
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from jisik.errors import ParseError
from jisik.ingest.parsers import _common
from jisik.ingest.parsers import csv as csv_parser
from jisik.ingest.parsers import docx as docx_parser
from jisik.ingest.parsers import html as html_parser
from jisik.ingest.parsers import markdown as md_parser
from jisik.ingest.parsers import pdf as pdf_parser
from jisik.ingest.parsers import pptx as pptx_parser
from jisik.ingest.parsers import text as text_parser
from jisik.ingest.parsers import xlsx as xlsx_parser

KOREAN_FONT = "HYSMyeongJo-Medium"
POLICY = "연차휴가는 입사 1년 후 15일이 부여됩니다."
RANDOM_BYTES = bytes(range(256)) * 8  # has NUL bytes and is no known container


# --- file builders ----------------------------------------------------------


def write_pdf(path: Path, pages: list[list[str]], title: str | None = None) -> Path:
    """A PDF drawn with reportlab's built-in Korean CID font, one list of lines per page."""
    pdfmetrics.registerFont(UnicodeCIDFont(KOREAN_FONT))
    pdf = canvas.Canvas(str(path))
    if title is not None:
        pdf.setTitle(title)
    for lines in pages:
        pdf.setFont(KOREAN_FONT, 12)
        for i, line in enumerate(lines):
            pdf.drawString(72, 760 - 20 * i, line)
        pdf.showPage()
    pdf.save()
    return path


def encrypt_pdf(source: Path, target: Path, user_password: str) -> Path:
    writer = PdfWriter(clone_from=PdfReader(source))
    # RC4 needs no optional crypto package, so the test runs everywhere.
    writer.encrypt(user_password, owner_password="owner-secret", algorithm="RC4-128")
    writer.write(target)
    return target


def write_docx(path: Path) -> Path:
    document = docx.Document()
    document.core_properties.title = "주식회사 한빛 휴가 규정"
    document.sections[0].header.paragraphs[0].text = "사내 한정 머리글"
    document.sections[0].footer.paragraphs[0].text = "쪽 바닥글"
    document.add_paragraph("이 규정은 모든 임직원에게 적용됩니다.")
    document.add_heading("제1장 연차휴가", level=1)
    document.add_paragraph("연차는 근속연수에 따라 부여됩니다.")
    table = document.add_table(rows=3, cols=3)
    for col, name in enumerate(["근속", "일수", "비고"]):
        table.cell(0, col).text = name
    table.cell(1, 0).text = "1년"
    table.cell(1, 1).text = "15일"
    table.cell(1, 2).merge(table.cell(2, 2)).text = "세로 병합"
    table.cell(2, 0).merge(table.cell(2, 1)).text = "가로 병합"
    document.add_paragraph("표 아래 문단입니다.")
    document.add_heading("사용 절차", level=2)
    document.add_paragraph("휴가 3일 전까지 신청합니다.")
    document.add_heading("제2장 병가", level=1)
    document.add_paragraph("병가는 연 10일입니다.")
    document.save(str(path))
    return path


def write_pptx(path: Path, core_title: str = "") -> Path:
    presentation = pptx.Presentation()
    presentation.core_properties.title = core_title
    slide = presentation.slides.add_slide(presentation.slide_layouts[5])  # title only
    slide.shapes.title.text = "휴가 제도 안내"
    # Added out of order on purpose: the parser must sort by position.
    box = slide.shapes.add_textbox(Inches(1), Inches(5.5), Inches(3), Inches(0.5))
    box.text_frame.text = "맨 아래 문구"
    box = slide.shapes.add_textbox(Inches(5), Inches(2.0), Inches(3), Inches(0.5))
    box.text_frame.text = "오른쪽 단"
    box = slide.shapes.add_textbox(Inches(1), Inches(2.1), Inches(3), Inches(0.5))
    box.text_frame.text = "왼쪽 단"
    group = slide.shapes.add_group_shape()
    inner = group.shapes.add_textbox(Inches(1), Inches(3.5), Inches(2), Inches(0.5))
    inner.text_frame.text = "그룹 안 글상자"
    table = slide.shapes.add_table(2, 2, Inches(1), Inches(4.5), Inches(4), Inches(0.8)).table
    for (r, c), value in {(0, 0): "구분", (0, 1): "일수", (1, 0): "연차", (1, 1): "15"}.items():
        table.cell(r, c).text = value
    slide.notes_slide.notes_text_frame.text = "발표자는 예시를 들어 설명합니다."
    second = presentation.slides.add_slide(presentation.slide_layouts[1])
    second.shapes.title.text = "신청 방법"
    second.placeholders[1].text_frame.text = "전자결재로 신청합니다."
    presentation.save(str(path))
    return path


def write_xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    workbook.properties.title = "2024 연차 현황"
    staff = workbook.active
    staff.title = "직원"
    staff.append(["이름", None, "부서", "입사일", "잔여 연차"])
    staff.append(["홍길동", None, "인사팀", dt.date(2020, 3, 1), 15.0])
    staff.append([])
    staff.append(["김영희", None, "개발팀", dt.datetime(2021, 1, 4, 9, 30), 12.5])
    numbers = workbook.create_sheet("숫자")
    numbers.append([2024, 1, 3.0])
    numbers.append([None, None, None])
    numbers.append([7, None, 0.25])
    hidden = workbook.create_sheet("숨은 시트")
    hidden.sheet_state = "hidden"
    hidden.append(["비밀 메모"])
    workbook.save(str(path))
    return path


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def replace_member(source: Path, target: Path, name: str, data: bytes) -> Path:
    with zipfile.ZipFile(source) as old:
        members = {info.filename: old.read(info.filename) for info in old.infolist()}
    members[name] = data
    return make_zip(target, members)


# --- text -------------------------------------------------------------------


def test_text_utf8_one_section_with_title(tmp_path: Path) -> None:
    path = tmp_path / "memo.txt"
    path.write_bytes(f"휴가 안내\r\n\r\n{POLICY}\r마지막 줄\n".encode())
    parsed = text_parser.parse(path)
    assert parsed.format == "txt"
    assert parsed.title == "휴가 안내"
    assert len(parsed.sections) == 1
    section = parsed.sections[0]
    assert section.location == "text"
    assert section.heading == ""
    assert section.text == f"휴가 안내\n\n{POLICY}\n마지막 줄\n"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")],
)
def test_text_with_bom(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(prefix + f"제목\n{POLICY}".encode(encoding))
    parsed = text_parser.parse(path)
    assert parsed.sections[0].text == f"제목\n{POLICY}"
    assert parsed.title == "제목"


def test_text_cp949_including_syllables_euc_kr_lacks(tmp_path: Path) -> None:
    # "똠" and "햏" exist only in CP949's extension, not in plain EUC-KR.
    content = "똠방각하 햏자의 휴가 신청서\n" + POLICY
    path = tmp_path / "legacy.txt"
    path.write_bytes(content.encode("cp949"))
    assert text_parser.parse(path).sections[0].text == content


def test_text_nfd_becomes_nfc(tmp_path: Path) -> None:
    path = tmp_path / "mac.txt"
    path.write_bytes(unicodedata.normalize("NFD", POLICY).encode())
    text = text_parser.parse(path).sections[0].text
    assert text == POLICY
    assert unicodedata.is_normalized("NFC", text)


def test_text_damaged_utf8_is_not_read_as_cp949_mojibake(tmp_path: Path) -> None:
    data = bytearray((POLICY + "\n").encode() * 20)
    data[40] = 0xFF  # one broken byte: strict UTF-8 fails, CP949 would "succeed"
    path = tmp_path / "damaged.txt"
    path.write_bytes(bytes(data))
    text = text_parser.parse(path).sections[0].text
    assert text.count(POLICY) == 19
    assert "\ufffd" in text


def test_text_long_first_line_is_not_a_title(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("\n\n" + "가" * 81 + "\n둘째 줄", encoding="utf-8")
    assert text_parser.parse(path).title == ""


def test_text_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + RANDOM_BYTES)
    with pytest.raises(ParseError, match="binary file, not text"):
        text_parser.parse(path)


def test_missing_file_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="cannot read the file"):
        text_parser.parse(tmp_path / "nope.txt")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(
        st.one_of(
            st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),  # Hangul syllables
            st.sampled_from(" \t\r\n.,0123456789abcXYZ"),
            st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufeff"),
        )
    ),
    encoding=st.sampled_from(["utf-8", "cp949"]),
)
def test_text_round_trips_modulo_newlines(tmp_path: Path, text: str, encoding: str) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = b""  # not CP949-encodable: nothing to test
    assume(data)
    if encoding == "cp949":
        # Bytes that are also valid UTF-8 are read as UTF-8 first, by design.
        try:
            data.decode("utf-8")
            assume(False)
        except UnicodeDecodeError:
            pass
    path = tmp_path / "prop.txt"
    path.write_bytes(data)
    expected = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    assert text_parser.parse(path).sections[0].text == expected


# --- markdown ---------------------------------------------------------------

MARKDOWN = """---
title: "한빛 인사 규정"
author: 인사팀
---
이 문서는 **모든 직원**에게 _적용_됩니다. snake_case_name 은 그대로.

# 인사 규정

[사내 포털](https://intra.example.com)에서 ![결재 화면](img.png) 확인하세요. <span>태그</span> 제거.
줄바꿈된 문장은 이어집니다.

연차휴가
--------

| 근속 | 일수 |
|:-----|-----:|
| 1년 | 15일 |

```text
# 코드 안의 샵은 제목이 아님
grant_leave(days=15)
```

- 첫 항목 *강조*
- 둘째 항목 `literal*star*`

### 신청 ###
휴가 3일 전까지 신청합니다 \\*필수\\*
"""


def test_markdown_sections_locations_and_clean_text(tmp_path: Path) -> None:
    path = tmp_path / "policy.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    parsed = md_parser.parse(path)
    assert parsed.format == "md"
    assert parsed.title == "한빛 인사 규정"
    locations = [s.location for s in parsed.sections]
    assert locations == ["본문", "인사 규정", "인사 규정 > 연차휴가", "인사 규정 > 연차휴가 > 신청"]
    assert [s.heading for s in parsed.sections] == ["", "인사 규정", "연차휴가", "신청"]
    intro, portal, leave, apply = (s.text for s in parsed.sections)
    assert "title:" not in intro and "author" not in intro
    assert intro == "이 문서는 모든 직원에게 적용됩니다. snake_case_name 은 그대로."
    assert portal == "사내 포털에서 결재 화면 확인하세요. 태그 제거. 줄바꿈된 문장은 이어집니다."
    assert leave.split("\n") == [
        "근속 | 일수",
        "근속: 1년 | 일수: 15일",
        "# 코드 안의 샵은 제목이 아님",
        "grant_leave(days=15)",
        "- 첫 항목 강조",
        "- 둘째 항목 literal*star*",
    ]
    assert apply == "휴가 3일 전까지 신청합니다 *필수*"


def test_markdown_title_falls_back_to_first_h1(tmp_path: Path) -> None:
    path = tmp_path / "h1.md"
    path.write_text("## 소개\n본문\n\n규정 모음\n=====\n\n# 두 번째\n", encoding="utf-8")
    parsed = md_parser.parse(path)
    assert parsed.title == "규정 모음"
    assert parsed.sections[0].location == "소개"


def test_markdown_without_headings_and_in_cp949(tmp_path: Path) -> None:
    path = tmp_path / "plain.md"
    path.write_bytes(f"{POLICY}\n\n---\n\n두 번째 문단".encode("cp949"))
    parsed = md_parser.parse(path)
    assert parsed.title == ""
    assert [(s.location, s.heading) for s in parsed.sections] == [("본문", "")]
    assert parsed.sections[0].text == f"{POLICY}\n두 번째 문단"


def test_markdown_list_or_quote_above_dashes_is_not_a_heading(tmp_path: Path) -> None:
    path = tmp_path / "rules.md"
    path.write_text("- 연차 15일\n---\n> 인용된 문장\n---\n일반 문단\n---\n", encoding="utf-8")
    parsed = md_parser.parse(path)
    assert [(s.location, s.text) for s in parsed.sections] == [
        ("본문", "- 연차 15일\n인용된 문장"),
    ]
    assert parsed.sections[0].heading == ""
    # "일반 문단" above "---" is a setext heading with an empty body, so no section


# --- html -------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>한빛 복지 안내</title>
<style>.x {{ color: red }}</style><script>var 비밀 = "스크립트";</script></head>
<body><nav>홈 | 메뉴</nav><noscript>자바스크립트를 켜세요</noscript>
<p>머리말 <b>굵은</b>글씨와 <a href="#">링크</a>.<br>다음 줄</p>
<h1>복지 제도</h1><div>개요<div>안쪽 블록</div></div>
<h2>휴가</h2><ul><li>연차 15일</li><li>병가 10일</li></ul>
<table><tr><th>구분</th><th>일수</th></tr><tr><td>경조</td><td>5</td></tr></table>
<template><p>템플릿</p></template>
<h2>교육</h2><p>연 1회 지원</p></body></html>
"""


def test_html_sections_tables_and_dropped_elements(tmp_path: Path) -> None:
    path = tmp_path / "welfare.html"
    path.write_text(HTML.format(charset="utf-8"), encoding="utf-8")
    parsed = html_parser.parse(path)
    assert parsed.format == "html"
    assert parsed.title == "한빛 복지 안내"
    assert [(s.location, s.heading) for s in parsed.sections] == [
        ("본문", ""),
        ("복지 제도", "복지 제도"),
        ("복지 제도 > 휴가", "휴가"),
        ("복지 제도 > 교육", "교육"),
    ]
    intro, welfare, leave, education = (s.text for s in parsed.sections)
    assert intro == "머리말 굵은글씨와 링크.\n다음 줄"
    assert welfare == "개요\n안쪽 블록"
    assert leave == "연차 15일\n병가 10일\n구분 | 일수\n구분: 경조 | 일수: 5"
    assert education == "연 1회 지원"
    everything = "\n".join(s.text for s in parsed.sections)
    for noise in ("스크립트", "color", "메뉴", "자바스크립트", "템플릿"):
        assert noise not in everything


def test_html_euc_kr_meta_charset(tmp_path: Path) -> None:
    path = tmp_path / "old.htm"
    path.write_bytes(HTML.format(charset="euc-kr").replace("경조", "똠방").encode("cp949"))
    parsed = html_parser.parse(path)
    assert parsed.title == "한빛 복지 안내"
    assert "구분: 똠방 | 일수: 5" in parsed.sections[2].text


def test_html_without_meta_uses_text_rules_and_h1_title(tmp_path: Path) -> None:
    path = tmp_path / "bare.html"
    path.write_bytes("<h1>규정</h1><p>내용 본문</p>".encode("cp949"))
    parsed = html_parser.parse(path)
    assert parsed.title == "규정"
    assert parsed.sections[0].text == "내용 본문"


def test_html_deep_nesting_does_not_overflow(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text("<div>" * 5000 + "깊은 곳의 글" + "</div>" * 5000, encoding="utf-8")
    assert html_parser.parse(path).sections[0].text == "깊은 곳의 글"
    path.write_text(
        "<table><tr><td>" * 3000 + "깊은 표" + "</td></tr></table>" * 3000, encoding="utf-8"
    )
    assert html_parser.parse(path).sections[0].text == "깊은 표"


# --- pdf --------------------------------------------------------------------


def test_pdf_korean_cid_font_extracts_hangul_per_page(tmp_path: Path) -> None:
    path = write_pdf(
        tmp_path / "policy.pdf",
        [["제1조 목적", POLICY], [], ["제2조 병가", "병가는 연 10일입니다."]],
        title="한빛 휴가 규정",
    )
    parsed = pdf_parser.parse(path)
    assert parsed.format == "pdf"
    assert parsed.title == "한빛 휴가 규정"
    # The empty second page has no text layer and is skipped; numbering stays true.
    assert [s.location for s in parsed.sections] == ["p. 1", "p. 3"]
    assert parsed.sections[0].text == f"제1조 목적\n{POLICY}"
    assert parsed.sections[1].text == "제2조 병가\n병가는 연 10일입니다."


@pytest.mark.parametrize(
    "title", [None, "Microsoft Word - 휴가규정.docx", "untitled", "(anonymous)", "scan.pdf"]
)
def test_pdf_meaningless_titles_are_dropped(tmp_path: Path, title: str | None) -> None:
    path = write_pdf(tmp_path / "t.pdf", [[POLICY]], title=title)
    assert pdf_parser.parse(path).title == ""


def test_pdf_with_user_password_is_refused(tmp_path: Path) -> None:
    plain = write_pdf(tmp_path / "plain.pdf", [[POLICY]])
    locked = encrypt_pdf(plain, tmp_path / "locked.pdf", user_password="1234")
    with pytest.raises(ParseError, match="password-protected PDF; remove the password"):
        pdf_parser.parse(locked)


def test_pdf_encrypted_with_empty_user_password_opens(tmp_path: Path) -> None:
    plain = write_pdf(tmp_path / "plain.pdf", [[POLICY]])
    restricted = encrypt_pdf(plain, tmp_path / "restricted.pdf", user_password="")
    assert pdf_parser.parse(restricted).sections[0].text == POLICY


def test_pdf_aes_without_crypto_package_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = write_pdf(tmp_path / "plain.pdf", [[POLICY]])
    restricted = encrypt_pdf(plain, tmp_path / "aes.pdf", user_password="")

    def needs_cryptography(self: PdfReader, password: str) -> None:
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")

    monkeypatch.setattr(PdfReader, "decrypt", needs_cryptography)
    with pytest.raises(ParseError, match="cryptography"):
        pdf_parser.parse(restricted)


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(100, 100, 200, 200, fill=1)  # stands in for a scanned image
    pdf.showPage()
    pdf.save()
    with pytest.raises(ParseError, match="no text layer"):
        pdf_parser.parse(path)


def test_pdf_truncated_is_not_valid(tmp_path: Path) -> None:
    whole = write_pdf(tmp_path / "whole.pdf", [[POLICY]]).read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(whole[:100])
    with pytest.raises(ParseError, match="not a valid PDF file"):
        pdf_parser.parse(path)


# --- docx -------------------------------------------------------------------


def test_docx_order_headings_tables_and_title(tmp_path: Path) -> None:
    parsed = docx_parser.parse(write_docx(tmp_path / "rules.docx"))
    assert parsed.format == "docx"
    assert parsed.title == "주식회사 한빛 휴가 규정"
    assert [(s.location, s.heading) for s in parsed.sections] == [
        ("본문", ""),
        ("제1장 연차휴가", "제1장 연차휴가"),
        ("제1장 연차휴가 > 사용 절차", "사용 절차"),
        ("제2장 병가", "제2장 병가"),
    ]
    assert parsed.sections[0].text == "이 규정은 모든 임직원에게 적용됩니다."
    # Paragraphs and the table interleave exactly as in the document.
    assert parsed.sections[1].text.split("\n") == [
        "연차는 근속연수에 따라 부여됩니다.",
        "근속 | 일수 | 비고",
        # Each row with its column names; a vertical merge is read in every row it covers.
        "근속: 1년 | 일수: 15일 | 비고: 세로 병합",
        "근속: 가로 병합 | 비고: 세로 병합",
        "표 아래 문단입니다.",
    ]
    everything = "\n".join(s.text for s in parsed.sections)
    assert "머리글" not in everything and "바닥글" not in everything
    # A horizontal merge is one cell, read once; a vertical one once per row it covers.
    assert everything.count("세로 병합") == 2 and everything.count("가로 병합") == 1


def test_docx_title_falls_back_to_title_paragraph(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("복무 지침", level=0)  # the "Title" style
    document.add_paragraph("출근 시간은 9시입니다.")
    document.save(str(tmp_path / "t.docx"))
    parsed = docx_parser.parse(tmp_path / "t.docx")
    assert parsed.title == "복무 지침"
    assert parsed.sections[0].location == "복무 지침"


def test_docx_korean_style_names_and_outline_level(tmp_path: Path) -> None:
    document = docx.Document()
    korean = document.styles.add_style("제목 1", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("총칙", style=korean)
    outlined = document.add_paragraph("정의")
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "1")
    outlined._p.get_or_add_pPr().append(level)
    document.add_paragraph("용어의 뜻은 다음과 같다.")
    document.save(str(tmp_path / "k.docx"))
    parsed = docx_parser.parse(tmp_path / "k.docx")
    assert [(s.location, s.text) for s in parsed.sections] == [
        ("총칙 > 정의", "용어의 뜻은 다음과 같다.")
    ]


# --- pptx -------------------------------------------------------------------


def test_pptx_reading_order_groups_tables_notes(tmp_path: Path) -> None:
    parsed = pptx_parser.parse(write_pptx(tmp_path / "deck.pptx"))
    assert parsed.format == "pptx"
    assert parsed.title == "휴가 제도 안내"  # no core title: the first slide's title
    first, second = parsed.sections
    assert (first.location, first.heading) == ("slide 1", "휴가 제도 안내")
    assert first.text.split("\n") == [
        "휴가 제도 안내",
        "왼쪽 단",
        "오른쪽 단",
        "그룹 안 글상자",
        "구분 | 일수",
        "연차 | 15",
        "맨 아래 문구",
        "노트:",
        "발표자는 예시를 들어 설명합니다.",
    ]
    assert (second.location, second.heading) == ("slide 2", "신청 방법")
    assert second.text == "신청 방법\n전자결재로 신청합니다."


def test_pptx_core_title_wins(tmp_path: Path) -> None:
    path = write_pptx(tmp_path / "deck.pptx", core_title="2024 복지 설명회")
    assert pptx_parser.parse(path).title == "2024 복지 설명회"


# --- xlsx -------------------------------------------------------------------


def test_xlsx_sheets_headers_and_values(tmp_path: Path) -> None:
    parsed = xlsx_parser.parse(write_xlsx(tmp_path / "leave.xlsx"))
    assert parsed.format == "xlsx"
    assert parsed.title == "2024 연차 현황"
    assert [(s.location, s.heading) for s in parsed.sections] == [
        ("sheet 직원", "직원"),
        ("sheet 숫자", "숫자"),
        ("sheet 숨은 시트", "숨은 시트"),
    ]
    staff, numbers, hidden = (s.text for s in parsed.sections)
    assert staff.split("\n") == [
        "이름 | 부서 | 입사일 | 잔여 연차",
        "이름: 홍길동 | 부서: 인사팀 | 입사일: 2020-03-01 | 잔여 연차: 15",
        "이름: 김영희 | 부서: 개발팀 | 입사일: 2021-01-04 09:30 | 잔여 연차: 12.5",
    ]
    assert numbers.split("\n") == ["2024 | 1 | 3", "7 |  | 0.25"]
    assert hidden == "비밀 메모"


def test_xlsx_title_row_above_the_header(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "연차"
    sheet.append(["2024년 부서별 연차 사용 현황"])
    sheet.append([])
    sheet.append(["부서", "사용 일수", "비율"])
    sheet.append(["인사팀", 120, 0.8])
    sheet.append(["개발팀", True, None])
    workbook.save(str(tmp_path / "title.xlsx"))
    assert xlsx_parser.parse(tmp_path / "title.xlsx").sections[0].text.split("\n") == [
        "2024년 부서별 연차 사용 현황",
        "부서 | 사용 일수 | 비율",
        "부서: 인사팀 | 사용 일수: 120 | 비율: 0.8",
        "부서: 개발팀 | 사용 일수: TRUE",
    ]


def test_xlsx_row_cap_logs_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    workbook = openpyxl.Workbook()
    for i in range(10):
        workbook.active.append([i, i * 2])
    workbook.save(str(tmp_path / "big.xlsx"))
    monkeypatch.setattr(xlsx_parser, "MAX_ROWS", 3)
    with caplog.at_level(logging.WARNING, logger=xlsx_parser.__name__):
        parsed = xlsx_parser.parse(tmp_path / "big.xlsx")
    assert parsed.sections[0].text == "0 | 0\n1 | 2\n2 | 4"
    assert "stopped after 3 rows" in caplog.text


# --- csv --------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_cp949_and_delimiters(tmp_path: Path, delimiter: str) -> None:
    rows = [["이름", "부서", "연차"], ["홍길동", "인사팀", "15"], ["김영희", "개발, 기획", "12"]]
    buffer = io.StringIO()
    stdlib_csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path = tmp_path / "staff.csv"
    path.write_bytes(buffer.getvalue().encode("cp949"))
    parsed = csv_parser.parse(path)
    assert parsed.format == "csv"
    assert [(s.location, s.heading) for s in parsed.sections] == [("table", "")]
    assert parsed.sections[0].text.split("\n") == [
        "이름 | 부서 | 연차",
        "이름: 홍길동 | 부서: 인사팀 | 연차: 15",
        "이름: 김영희 | 부서: 개발, 기획 | 연차: 12",
    ]


def test_csv_without_header_row(tmp_path: Path) -> None:
    path = tmp_path / "numbers.csv"
    path.write_text("2024,15,3.5\n\n2025,16,\n", encoding="utf-8-sig")
    assert csv_parser.parse(path).sections[0].text == "2024 | 15 | 3.5\n2025 | 16"


def test_registry_routes_every_format_here(tmp_path: Path) -> None:
    from jisik.ingest import parsers

    files = {
        "docx": write_docx(tmp_path / "a.docx"),
        "pptx": write_pptx(tmp_path / "a.pptx"),
        "xlsx": write_xlsx(tmp_path / "a.xlsx"),
        "pdf": write_pdf(tmp_path / "a.pdf", [[POLICY]]),
    }
    for ext, content in {
        "txt": POLICY,
        "md": MARKDOWN,
        "html": HTML.format(charset="utf-8"),
        "csv": "이름,부서\n홍길동,인사팀\n",
    }.items():
        files[ext] = tmp_path / f"a.{ext}"
        files[ext].write_text(content, encoding="utf-8")
    for ext, path in files.items():
        parsed = parsers.parse(path)
        assert parsed.format == ext
        assert parsed.title  # the registry falls back to the file name


# --- damaged input, every format ---------------------------------------------

ALL_PARSERS = {
    "txt": text_parser,
    "md": md_parser,
    "html": html_parser,
    "pdf": pdf_parser,
    "docx": docx_parser,
    "pptx": pptx_parser,
    "xlsx": xlsx_parser,
    "csv": csv_parser,
}
OOXML = {
    "docx": (docx_parser, write_docx),
    "pptx": (pptx_parser, write_pptx),
    "xlsx": (xlsx_parser, write_xlsx),
}


@pytest.mark.parametrize("ext", sorted(ALL_PARSERS))
def test_empty_file_is_refused(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"empty.{ext}"
    path.write_bytes(b"")
    with pytest.raises(ParseError, match="the file is empty"):
        ALL_PARSERS[ext].parse(path)


@pytest.mark.parametrize(
    ("ext", "message"),
    [
        ("txt", "binary file"),
        ("md", "binary file"),
        ("html", "binary file"),
        ("csv", "binary file"),
        ("pdf", "not a valid PDF file"),
        ("docx", "not a valid DOCX file: the zip archive is damaged"),
        ("pptx", "not a valid PPTX file: the zip archive is damaged"),
        ("xlsx", "not a valid XLSX file: the zip archive is damaged"),
    ],
)
def test_random_bytes_are_refused(tmp_path: Path, ext: str, message: str) -> None:
    path = tmp_path / f"garbage.{ext}"
    path.write_bytes(RANDOM_BYTES)
    with pytest.raises(ParseError, match=message):
        ALL_PARSERS[ext].parse(path)


@pytest.mark.parametrize("ext", sorted(OOXML))
def test_ooxml_truncated_zip(tmp_path: Path, ext: str) -> None:
    parser, writer = OOXML[ext]
    whole = writer(tmp_path / f"whole.{ext}").read_bytes()
    path = tmp_path / f"cut.{ext}"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(
        ParseError, match=f"not a valid {ext.upper()} file: the zip archive is damaged"
    ):
        parser.parse(path)


@pytest.mark.parametrize("ext", sorted(OOXML))
def test_ooxml_encrypted_or_legacy_ole_file(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"locked.{ext}"
    path.write_bytes(_common.OLE_MAGIC + b"\x00" * 504)
    with pytest.raises(
        ParseError, match=f"password-protected or legacy binary Office file; save as .{ext}"
    ):
        OOXML[ext][0].parse(path)


@pytest.mark.parametrize("ext", sorted(OOXML))
def test_ooxml_plain_zip_is_not_an_office_file(tmp_path: Path, ext: str) -> None:
    path = make_zip(tmp_path / f"photos.{ext}", {"a.txt": b"hello"})
    with pytest.raises(ParseError, match="a zip archive, but not an Office document"):
        OOXML[ext][0].parse(path)


@pytest.mark.parametrize(
    ("ext", "member"),
    [
        ("docx", "word/document.xml"),
        ("pptx", "ppt/slides/slide1.xml"),
        ("xlsx", "xl/worksheets/sheet1.xml"),
    ],
)
def test_ooxml_damaged_xml(tmp_path: Path, ext: str, member: str) -> None:
    parser, writer = OOXML[ext]
    whole = writer(tmp_path / f"whole.{ext}")
    path = replace_member(whole, tmp_path / f"bad.{ext}", member, b"<not-closed><oops")
    with pytest.raises(ParseError, match=f"not a valid {ext.upper()} file"):
        parser.parse(path)


@pytest.mark.parametrize("ext", sorted(OOXML))
def test_ooxml_missing_part(tmp_path: Path, ext: str) -> None:
    path = make_zip(tmp_path / f"hollow.{ext}", {"[Content_Types].xml": b"<Types/>"})
    with pytest.raises(ParseError, match=f"not a valid {ext.upper()} file"):
        OOXML[ext][0].parse(path)


@pytest.mark.parametrize("ext", sorted(OOXML))
def test_ooxml_zip_with_encrypted_entries(tmp_path: Path, ext: str) -> None:
    path = make_zip(tmp_path / f"zipcrypto.{ext}", {"[Content_Types].xml": b"<Types/>"})
    data = bytearray(path.read_bytes())
    # Set the "encrypted" flag bit in both the local and the central directory header.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + offset
        data[at] |= 0x1
    path.write_bytes(bytes(data))
    with pytest.raises(ParseError, match="zip entries are password-protected"):
        OOXML[ext][0].parse(path)


@pytest.mark.parametrize("ext", sorted(OOXML))
def test_ooxml_zip_bomb_is_refused(
    tmp_path: Path, ext: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    parser, writer = OOXML[ext]
    path = writer(tmp_path / f"bomb.{ext}")
    # Lower the limit instead of writing 500 MB: the check reads declared sizes only.
    monkeypatch.setattr(_common, "MAX_UNCOMPRESSED_BYTES", 1024)
    with pytest.raises(ParseError, match="zip bomb"):
        parser.parse(path)
