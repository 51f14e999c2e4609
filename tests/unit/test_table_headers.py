"""Tables keep their structure (issue 10, item 1): below a header row every row carries
its column names, merged header cells name each column they cover, a second header row
qualifies them, and a vertically merged cell is read in each row it covers — in .docx,
.html and .md as .xlsx and .csv already did. Expected lines are written out by hand."""

from __future__ import annotations

from pathlib import Path

import docx

from jisik.ingest.parsers import docx as docx_parser
from jisik.ingest.parsers import html, markdown
from jisik.ingest.parsers._common import SPANNED, render_table

CONTACTS = [
    "부서 | 연락처",
    "부서 | 전화 | 이메일",
    "부서: 인사팀 | 연락처 전화: 내선 100 | 연락처 이메일: hr@x.example",
    "부서: 인사팀 | 연락처 전화: 내선 101 | 연락처 이메일: hr2@x.example",
]


def _lines(parsed) -> list[str]:
    return [line for s in parsed.sections for line in s.text.split("\n")]


def test_render_table_spreads_merged_header_names_and_qualifies_them():
    rows = [
        ["부서", "연락처", SPANNED],
        ["부서", "전화", "이메일"],
        ["인사팀", "내선 100", "hr@x.example"],
        ["인사팀", "내선 101", "hr2@x.example"],
    ]
    assert render_table(rows) == CONTACTS


def test_a_single_header_row_with_a_merged_cell_names_both_columns():
    rows = [["항목", "기간", SPANNED], ["접수", "5월 1일", "5월 15일"]]
    assert render_table(rows) == ["항목 | 기간", "항목: 접수 | 기간: 5월 1일 | 기간: 5월 15일"]


def test_html_colspan_rowspan_and_caption(tmp_path: Path):
    page = tmp_path / "contacts.html"
    page.write_text(
        "<html><body><h1>연락처</h1><table><caption>부서 연락처</caption>"
        '<tr><th rowspan="2">부서</th><th colspan="2">연락처</th></tr>'
        "<tr><th>전화</th><th>이메일</th></tr>"
        '<tr><td rowspan="2">인사팀</td><td>내선 100</td><td>hr@x.example</td></tr>'
        "<tr><td>내선 101</td><td>hr2@x.example</td></tr>"
        "</table></body></html>",
        encoding="utf-8",
    )
    assert _lines(html.parse(page)) == ["부서 연락처", *CONTACTS]


def test_html_hostile_spans_are_clamped(tmp_path: Path):
    page = tmp_path / "spans.html"
    page.write_text(
        '<table><tr><th colspan="99999999">이름</th><th>값</th></tr>'
        '<tr><td rowspan="-3">가</td><td rowspan="x">1</td></tr></table>',
        encoding="utf-8",
    )
    lines = _lines(html.parse(page))
    assert lines[0] == "이름 | 값"  # the merged cell once
    assert lines[1] == "이름: 가 | 이름: 1"  # the second cell sits under the spanned header


def test_docx_grid_span_header_and_vertical_merge(tmp_path: Path):
    document = docx.Document()
    table = document.add_table(rows=4, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "부서"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "연락처"
    table.cell(1, 1).text, table.cell(1, 2).text = "전화", "이메일"
    table.cell(2, 0).merge(table.cell(3, 0)).text = "인사팀"
    table.cell(2, 1).text, table.cell(2, 2).text = "내선 100", "hr@x.example"
    table.cell(3, 1).text, table.cell(3, 2).text = "내선 101", "hr2@x.example"
    path = tmp_path / "contacts.docx"
    document.save(str(path))
    assert _lines(docx_parser.parse(path)) == CONTACTS


def test_markdown_rows_carry_their_header_until_the_table_ends(tmp_path: Path):
    page = tmp_path / "benefits.md"
    page.write_text(
        "# 경조금\n\n"
        "| 구분 | 금액 | 휴가 |\n|---|---|---|\n| 결혼 | 50만 원 | 5일 |\n| 결혼기념일 | 5만 원 | 1일 |\n\n"
        "구분 | 금액\n:--|--:\n출산 | 10만 원\n\n"
        "| 머리 | 없음 |\n| 그냥 | 줄 |\n",
        encoding="utf-8",
    )
    assert _lines(markdown.parse(page)) == [
        "구분 | 금액 | 휴가",
        "구분: 결혼 | 금액: 50만 원 | 휴가: 5일",
        "구분: 결혼기념일 | 금액: 5만 원 | 휴가: 1일",
        "구분 | 금액",
        "구분: 출산 | 금액: 10만 원",
        "머리 | 없음",  # no separator line: not a header, rows stay as they are
        "그냥 | 줄",
    ]
