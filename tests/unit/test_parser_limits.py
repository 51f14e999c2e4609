"""Decompression and XML limits of the parsers (issue 9, defect 8): ratio and size caps
on every zip format, no DTDs in Office XML, bounded HWP inflation and records,
streamed HWPX sections, markdown patterns linear in a line's length."""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jisik.errors import ParseError
from jisik.ingest import parsers
from jisik.ingest.parsers import _common, _hwp_records, hwp, hwpx, markdown
from tests.hostile import files

KINDS = ("docx", "pptx", "xlsx")


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bases")
    return {kind: files.office(kind, folder / f"base.{kind}") for kind in KINDS}


# --- the rules on declared sizes, over many inputs ---------------------------------


def _info(name: str, size: int, compressed: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.file_size, info.compress_size = size, compressed
    return info


@settings(max_examples=500, deadline=None)
@given(
    size=st.integers(0, 600 * files.MB),
    compressed=st.integers(0, 200 * files.MB),
    xml=st.booleans(),
    streamed=st.booleans(),
)
def test_one_entry_is_refused_exactly_when_a_limit_says_so(size, compressed, xml, streamed):
    name = "word/part.xml" if xml else "word/media/part.bin"
    bomb = size > _common.RATIO_FLOOR_BYTES and size > _common.MAX_RATIO * max(compressed, 1)
    too_big = xml and not streamed and size > _common.MAX_XML_PART_BYTES
    total = size > _common.MAX_UNCOMPRESSED_BYTES
    try:
        _common.check_entries([_info(name, size, compressed)], "DOCX", lambda n: streamed)
    except ParseError as exc:
        message = str(exc)
        assert bomb or too_big or total
        assert "zip bomb" in message or "allowed for one part" in message
    else:
        assert not (bomb or too_big or total)


def _NONE(name: str) -> bool:
    return False


def test_the_messages_name_the_limits():
    with pytest.raises(ParseError, match=r"inflates 1000:1 to 9 MB; more than 100:1 beyond 8 MB"):
        _common.check_entries([_info("a.xml", 9 * files.MB, 9 * files.KB + 221)], "DOCX", _NONE)
    with pytest.raises(ParseError, match=r"XML part 'a.xml' is 101 MB, over the 100 MB allowed"):
        _common.check_entries([_info("a.xml", 101 * files.MB, 50 * files.MB)], "DOCX", _NONE)


@pytest.mark.parametrize("kind", KINDS)
def test_a_bomb_entry_is_refused_and_one_just_under_the_floor_is_read(kind, bases, tmp_path):
    under = files.rezip(
        bases[kind],
        tmp_path / f"under.{kind}",
        extra={"extra/under.bin": files.zeros(7 * files.MB)},
    )
    assert parsers.parse(under).sections  # ratio 1000:1, but below the floor
    over = files.rezip(
        bases[kind], tmp_path / f"over.{kind}", extra={"extra/over.bin": files.zeros(9 * files.MB)}
    )
    with pytest.raises(
        ParseError, match=rf"not a valid {kind.upper()} file: its part 'extra/over.bin' inflates"
    ):
        parsers.parse(over)


def test_the_hwpx_section_bomb_is_refused_by_ratio(tmp_path):
    path = files.hwpx(
        tmp_path / "bomb.hwpx",
        files.hwpx_section(["본문"]),
        extra={"Contents/section1.xml": files.xml_part(files.zeros(9 * files.MB), 9 * files.MB)},
    )
    with pytest.raises(ParseError, match="HWPX file: its part 'Contents/section1.xml' inflates"):
        hwpx.parse(path)


def test_too_many_zip_entries_are_refused_before_zipfile_reads_them(tmp_path, monkeypatch):
    monkeypatch.setattr(_common, "MAX_ZIP_ENTRIES", 50)
    path = tmp_path / "many.docx"
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(60):
            archive.writestr(f"p{n}", b"")
    read = []
    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", lambda self: read.append(1))
    with pytest.raises(ParseError, match="its zip lists 60 entries"):
        parsers.parse(path)
    assert not read


# --- XML entity tricks --------------------------------------------------------------

DTDS = {
    "xxe": lambda secret: (files.xxe_dtd(secret), "&xxe;"),
    "laughs": lambda secret: (files.LAUGHS_DTD, "&i;"),
    "external": lambda secret: (files.EXTERNAL_DTD, ""),
}
PARTS = {
    "docx": ["word/document.xml", "word/styles.xml", "[Content_Types].xml", "_rels/.rels"],
    "pptx": ["ppt/slides/slide1.xml", "ppt/presentation.xml"],
    "xlsx": ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml"],
}


@pytest.mark.parametrize("trick", sorted(DTDS))
@pytest.mark.parametrize(("kind", "part"), [(k, p) for k in KINDS for p in PARTS[k]])
def test_office_parts_with_a_doctype_are_refused(kind, part, trick, bases, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(files.SECRET)
    dtd, reference = DTDS[trick](secret)
    xml = files.with_dtd(files.member(bases[kind], part), dtd, reference)
    path = files.rezip(bases[kind], tmp_path / f"{trick}.{kind}", replace={part: xml})
    with pytest.raises(ParseError, match="declares a DOCTYPE or XML entities") as caught:
        parsers.parse(path)
    assert files.SECRET not in str(caught.value)


def test_a_utf16_part_with_a_doctype_is_refused_too(bases, tmp_path):
    part = "word/document.xml"
    xml = files.with_dtd(files.member(bases["docx"], part), files.LAUGHS_DTD, "&i;")
    text = xml.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    path = files.rezip(bases["docx"], tmp_path / "u16.docx", replace={part: text.encode("utf-16")})
    with pytest.raises(ParseError, match="DOCTYPE"):
        parsers.parse(path)


@pytest.mark.parametrize("trick", sorted(DTDS))
def test_hwpx_entities_are_refused_or_inert(trick, tmp_path):
    """lxml resolves nothing and fetches nothing; libxml2 itself refuses the
    amplification of billion laughs even unresolved."""
    secret = tmp_path / "secret.txt"
    secret.write_text(files.SECRET)
    dtd, reference = DTDS[trick](secret)
    section = files.hwpx_section([f"본문{reference}"], dtd)
    try:
        parsed = hwpx.parse(files.hwpx(tmp_path / f"{trick}.hwpx", section))
    except ParseError as exc:
        assert trick == "laughs" and "amplification" in str(exc)
    else:
        assert parsed.sections[0].text == "본문"


def test_hwpx_sections_are_streamed_with_the_same_text(tmp_path):
    paragraphs = [f"{n}번째 문단입니다." for n in range(3000)]
    path = files.hwpx(tmp_path / "long.hwpx", files.hwpx_section(paragraphs))
    assert hwpx.parse(path).sections[0].text.split("\n") == paragraphs


def test_hwpx_nesting_beyond_libxml2s_limit_is_refused(tmp_path):
    deep = "<hp:subList>" * 300 + "<hp:t>x</hp:t>" + "</hp:subList>" * 300
    section = files.hwpx_section([]).replace(b"</hs:sec>", f"<hp:p>{deep}</hp:p></hs:sec>".encode())
    with pytest.raises(ParseError, match="HWPX"):
        hwpx.parse(files.hwpx(tmp_path / "deep.hwpx", section))


def test_html_nested_beyond_the_depth_limit_is_refused_before_lexbor_reads_it(tmp_path):
    from jisik.ingest.parsers import html

    limit = html.MAX_DEPTH
    path = tmp_path / "deep.html"
    path.write_text("<div>" * limit + "깊은 곳" + "</div>" * limit, encoding="utf-8")
    assert html.parse(path).sections[0].text == "깊은 곳"
    path.write_text("<b>" * (limit + 1) + "깊은 곳", encoding="utf-8")  # unclosed counts
    with pytest.raises(ParseError, match=f"nested more than {limit} elements deep"):
        html.parse(path)
    # end tags that may be left out, and void elements, do not nest
    path.write_text("<ul>" + "<li><p>항목<br><img src=x>" * (3 * limit) + "</ul>", encoding="utf-8")
    assert "항목" in html.parse(path).sections[0].text


# --- HWP: bounded inflation and records -------------------------------------------


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12 * files.MB), st.sampled_from([b"\x00", b"ab", b"\x10\x20\x30"]))
def test_hwp_streams_inflate_within_the_ratio(size, pattern):
    data = (pattern * (size // len(pattern) + 1))[:size]
    raw = _deflate(data)
    allowed = max(_common.RATIO_FLOOR_BYTES, _common.MAX_RATIO * len(raw))
    if size > allowed:
        with pytest.raises(ParseError, match="over 100:1"):
            hwp._inflate(raw, 200 * files.MB)
    else:
        assert hwp._inflate(raw, 200 * files.MB) == data


def test_hwp_record_count_is_bounded(monkeypatch):
    monkeypatch.setattr(_hwp_records, "MAX_RECORDS", 10)
    empty_record = (0x10).to_bytes(4, "little")  # tag 16, level 0, size 0
    assert len(_hwp_records.read_records(empty_record * 10)) == 10
    with pytest.raises(ParseError, match="more than 10 records"):
        _hwp_records.read_records(empty_record * 11)


# --- markdown: linear patterns ------------------------------------------------------

_MARKUP = st.text(alphabet="*_~`[]()!<>-#| a가\\", max_size=80)


@settings(max_examples=300, deadline=None)
@given(_MARKUP)
def test_comments_are_dropped_as_the_regex_did(text):
    assert markdown._drop_comments(text) == re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)


@settings(max_examples=100, deadline=None)
@given(st.lists(_MARKUP, min_size=1, max_size=80))
def test_inline_markup_of_a_long_line_is_stripped_window_by_window(pieces):
    line = " ".join(pieces)
    windows = list(markdown.windows(line))
    expected = "".join(markdown._strip_inline(line[a:b]) for a, b in windows)
    assert markdown.strip_inline(line) == expected
    if len(line) <= markdown.MAX_WINDOW_CHARS:
        assert expected == markdown._strip_inline(line)  # short lines: unchanged


def test_a_long_pathological_markdown_line_is_plain_paragraph_text(tmp_path):
    path = tmp_path / "stars.md"
    path.write_text("# 제목\n" + "*a " * 20_000 + "\n| " + " " * 5000 + "x\n", encoding="utf-8")
    parsed = markdown.parse(path)
    assert parsed.title == "제목" and "*a *a *a" in parsed.sections[0].text
