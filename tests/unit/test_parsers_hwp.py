"""HWP 5.0 and HWPX parsers: real sample files, hand-built files, damaged files."""

from __future__ import annotations

import collections
import random
import re
import struct
import sys
import zipfile
from pathlib import Path

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from jisik.errors import ParseError
from jisik.ingest import parsers
from jisik.ingest.parsers import _hwp_records as records
from jisik.ingest.parsers import hwp, hwpx

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT.parent / "shared" / "data" / "hwp-samples"
SAMPLE_NAMES = sorted(p.name for p in SAMPLES.glob("*.hwp*")) if SAMPLES.is_dir() else []

# The one sample that holds only images: the parser finds no text, the registry says so.
IMAGE_ONLY = "hwplib-changing-image.hwp"
DISTRIBUTION = "distribution-encrypted.hwp"
try:
    import cryptography  # noqa: F401  (decrypts 배포용 documents when present)

    HAS_CRYPTOGRAPHY = True
except ImportError:
    HAS_CRYPTOGRAPHY = False

STRAY_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

HP = "http://www.hancom.co.kr/hwpml/2011/paragraph"
HS = "http://www.hancom.co.kr/hwpml/2011/section"
OPF = "http://www.idpf.org/2007/opf/"


def sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip(f"sample data not available: {path}")
    return path


def full_text(doc) -> str:
    return "\n".join(section.text for section in doc.sections)


# --------------------------------------------------------------------------- real files


@pytest.mark.shared_data
@pytest.mark.parametrize("name", SAMPLE_NAMES or ["(no samples)"])
def test_every_sample_parses_cleanly(name: str) -> None:
    path = sample(name)
    module = hwpx if name.endswith(".hwpx") else hwp
    if name == DISTRIBUTION and not HAS_CRYPTOGRAPHY:
        with pytest.raises(ParseError, match="배포용"):
            module.parse(path)
        return
    doc = module.parse(path)
    assert doc.format == path.suffix[1:]
    assert doc.sections
    # Every part names its body section (in order) and, when cut at a heading,
    # the paragraph it starts at and the heading path ending in its heading.
    numbers = [int(s.location.split(" · ")[0].removeprefix("section ")) for s in doc.sections]
    assert numbers == sorted(numbers) and numbers[0] == 1
    for s in doc.sections:
        assert s.location.startswith("section ")
        if s.heading:
            assert " · ¶ " in s.location and s.heading[:20] in s.location
    text = full_text(doc)
    assert not STRAY_CONTROLS.search(text)
    assert not STRAY_CONTROLS.search(doc.title)
    assert len(doc.title) <= 100
    for section in doc.sections:
        lines = section.text.split("\n") if section.text else []
        assert all(line.strip() for line in lines), "empty paragraphs must be skipped"
    if name == IMAGE_ONLY:
        assert not text.strip()
        with pytest.raises(ParseError, match="no text"):
            parsers.parse(path)
    else:
        assert text.strip()
        assert parsers.parse(path).title  # title or the registry's stem fallback


@pytest.mark.shared_data
@pytest.mark.parametrize("name", [n for n in SAMPLE_NAMES if n.endswith(".hwp")] or ["(none)"])
def test_hwp_text_covers_the_preview_text(name: str) -> None:
    """PrvText is Hancom's own plain-text preview of the document's beginning."""
    path = sample(name)
    if name == DISTRIBUTION and not HAS_CRYPTOGRAPHY:
        pytest.skip("decrypting 배포용 documents needs 'cryptography'")
    with olefile.OleFileIO(str(path)) as ole:
        if not ole.exists("PrvText"):
            pytest.skip("no preview text in this file")
        preview = ole.openstream("PrvText").read().decode("utf-16-le", "replace")
    text = full_text(hwp.parse(path))
    words = [w for w in re.split(r"[\s<>]+", preview) if w]
    if preview.rstrip("\x00").endswith(words[-1] if words else ""):
        words = words[:-1]  # the preview is cut at a fixed length, maybe mid-word
    missing = [w for w in words if w not in text]
    assert not missing


@pytest.mark.shared_data
@pytest.mark.parametrize("name", [n for n in SAMPLE_NAMES if n.endswith(".hwpx")] or ["(none)"])
def test_hwpx_text_has_every_character_of_the_xml_text(name: str) -> None:
    path = sample(name)
    naive = []
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if re.fullmatch(r"Contents/section\d+\.xml", member):
                root = etree.fromstring(archive.read(member))
                naive.extend("".join(t.itertext()) for t in root.iter(f"{{{HP}}}t"))

    def chars(s: str) -> collections.Counter:
        return collections.Counter(c for c in s if not c.isspace() and c != "|")

    # Nothing of the XML text is lost; a table's column names are repeated in its
    # rows (header rendering), so the parsed text may hold more, never less.
    assert not chars("".join(naive)) - chars(full_text(hwpx.parse(path)))


@pytest.mark.shared_data
def test_hwp_press_release_text_and_table_rows_in_reading_order() -> None:
    doc = hwp.parse(sample("msit-press-release-nuri-2018.hwp"))
    text = full_text(doc)
    lines = text.split("\n")
    assert "배포일시 | 2018. 9. 3.(월) 09:00 | 담당부서 | 거대공공연구정책과" in lines
    # The comparison table's rows carry its column names.
    assert "구 분: 총 길이 | 한국형발사체(누리호): 47.2 m | 시험발사체: 25.8 m" in lines
    assert "구 분: 단 수 | 한국형발사체(누리호): 3단 | 시험발사체: 1단" in lines
    assert text.index("보도일시") < text.index("‘누리’로 결정되었으며") < text.index("총 길이")
    assert doc.title and doc.title != "2"  # the file's summary title is just "2"


@pytest.mark.shared_data
def test_hwp_merged_cell_table_rows() -> None:
    lines = full_text(hwp.parse(sample("hwplib-merging-cell.hwp"))).split("\n")
    assert lines[0] == "0,0 | 0,1 | 0,2 | 0,3 | 0,4 | 0,5 | 0,6"
    assert "6,0 | 6,1 | 6,2 | 6,3 | 6,4 | 6,5 | 6,6" in lines


@pytest.mark.shared_data
def test_hwp_footnotes_text_boxes_and_uncompressed_bodies() -> None:
    report = full_text(hwp.parse(sample("report-template.hwp")))
    assert "각주목록을 적용합니다" in report  # footnote text
    assert "과목명 | ○○○○" in report.split("\n")
    etc = hwp.parse(sample("hwplib-etc.hwp"))  # stored uncompressed
    assert "가나다라ABCD" in full_text(etc)


@pytest.mark.shared_data
def test_distribution_document_is_decrypted_not_its_placeholder() -> None:
    path = sample(DISTRIBUTION)
    if not HAS_CRYPTOGRAPHY:
        pytest.skip("decrypting 배포용 documents needs 'cryptography'")
    doc = hwp.parse(path)
    text = full_text(doc)
    assert "배포용 문서" not in text
    assert "시설관리원 용역업체 선정 입찰공고" in text
    assert "입찰참가자격" in text


@pytest.mark.shared_data
def test_distribution_document_without_cryptography_is_rejected(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.ciphers", None)
    with pytest.raises(ParseError, match="배포용"):
        hwp.parse(sample("distribution-encrypted.hwp"))


@pytest.mark.shared_data
def test_hwpx_samples_phrases_tables_and_sections() -> None:
    mcst = hwpx.parse(sample("mcst-press-release-2024.hwpx"))
    assert "2024 파리 올림픽·패럴림픽 준비하는 우리 선수단 격려한다" in full_text(mcst)
    assert "보도시점 | 2024. 1. 2.(화) 08:00 | 배포 | 2024. 1. 2.(화) 08:00" in full_text(mcst)

    table = full_text(hwpx.parse(sample("table.hwpx"))).split("\n")
    assert "이름 | 국어 | 영어 | 수학" in table
    assert table.index("이름 | 국어 | 영어 | 수학") + 1 == table.index(
        "이름: 개똥이 | 국어: 89 | 영어: 65 | 수학: 78"
    )

    ulsan = hwpx.parse(sample("ulsan-namgu-ordinance-no-manifest.hwpx"))
    body = [s for s in ulsan.sections if s.location.startswith("section 1")]
    assert len(body) == 2 and body[1].location == "section 1 · ¶ 12 · " + body[1].heading
    assert "구세 조례 일부개정조례안" in body[0].text
    assert "현 행 | 개 정 안" in ulsan.sections[-1].text.split("\n")

    rfp = hwpx.parse(sample("gangbuk-music-festival-rfp.hwpx"))
    assert {s.location.split(" · ")[0] for s in rfp.sections} == {"section 1", "section 2", "section 3"}
    assert any(
        "구 분: 음악축제 1부 | 시 간: 18:30 ~ 19:20 | 비 고: 뮤지컬, 오페라 갈라쇼 등 2팀" in s.text for s in rfp.sections
    )
    assert any(s.location.endswith("Ⅲ. 입찰 및 계약 › 1. 입찰개요 › 1) 제안서 제출") for s in rfp.sections)


# --------------------------------------------------------------------------- built HWPX


def section_xml(body: str, ns: str = HP) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<hs:sec xmlns:hs="{HS}" xmlns:hp="{ns}">{body}</hs:sec>'
    ).encode()


def para(*runs: str) -> str:
    return "<hp:p>" + "".join(f"<hp:run>{r}</hp:run>" for r in runs) + "</hp:p>"


def table(*rows: list[str]) -> str:
    trs = "".join(
        "<hp:tr>"
        + "".join(f"<hp:tc><hp:subList>{c}</hp:subList></hp:tc>" for c in row)
        + "</hp:tr>"
        for row in rows
    )
    return f"<hp:tbl>{trs}</hp:tbl>"


def package(title: str, spine: list[str]) -> bytes:
    items = "".join(
        f'<opf:item id="s{n}" href="Contents/{n}" media-type="application/xml"/>' for n in spine
    )
    refs = "".join(f'<opf:itemref idref="s{n}"/>' for n in spine)
    return (
        f'<opf:package xmlns:opf="{OPF}"><opf:metadata><opf:title>{title}</opf:title>'
        f"</opf:metadata><opf:manifest>{items}</opf:manifest><opf:spine>{refs}</opf:spine></opf:package>"
    ).encode()


def write_hwpx(
    path: Path, members: dict[str, bytes], mimetype: str | None = "application/hwp+zip"
) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if mimetype is not None:
            archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_runs_split_mid_word_are_joined_without_spaces(tmp_path: Path) -> None:
    body = para("<hp:t>대한민</hp:t>", "<hp:t>국 헌</hp:t>", "<hp:t>법</hp:t>") + para("<hp:t/>")
    path = write_hwpx(tmp_path / "split.hwpx", {"Contents/section0.xml": section_xml(body)})
    doc = hwpx.parse(path)
    assert doc.sections[0].text == "대한민국 헌법"
    assert doc.title == "대한민국 헌법"
    assert doc.format == "hwpx"


def test_inline_tabs_breaks_and_special_spaces(tmp_path: Path) -> None:
    body = para(
        "<hp:t>가<hp:tab/>나<hp:lineBreak/>다<hp:fwSpace/>라<hp:markpenBegin/>마<hp:markpenEnd/></hp:t>"
    )
    path = write_hwpx(tmp_path / "inline.hwpx", {"Contents/section0.xml": section_xml(body)})
    assert hwpx.parse(path).sections[0].text == "가\t나\n다 라마"


def test_tables_nested_tables_and_text_boxes(tmp_path: Path) -> None:
    nested = table([para("<hp:t>x</hp:t>"), para("<hp:t>y</hp:t>")])
    body = (
        para("<hp:t>앞 문단</hp:t>")
        + para(
            "<hp:t>표 위</hp:t>",
            table(
                [para("<hp:t>a</hp:t>"), para("<hp:t>b</hp:t>"), para("<hp:t>c</hp:t>")],
                [para("<hp:t>1</hp:t>"), para("<hp:t>두</hp:t>") + para("<hp:t>줄</hp:t>"), ""],
                [para("<hp:t>n</hp:t>"), nested, para("<hp:t>z</hp:t>")],
            ),
        )
        + para(
            "<hp:rect><hp:drawText><hp:subList>"
            + para("<hp:t>글상자</hp:t>")
            + "</hp:subList></hp:drawText></hp:rect>"
        )
        + para("<hp:t>뒤 문단</hp:t>")
    )
    path = write_hwpx(tmp_path / "table.hwpx", {"Contents/section0.xml": section_xml(body)})
    assert hwpx.parse(path).sections[0].text.split("\n") == [
        "앞 문단",
        "표 위",
        "a | b | c",
        "a: 1 | b: 두 줄",
        "a: n | b: x | y | c: z",
        "글상자",
        "뒤 문단",
    ]


def test_one_cell_table_keeps_its_paragraphs(tmp_path: Path) -> None:
    body = para(table([para("<hp:t>첫째</hp:t>") + para("<hp:t>둘째</hp:t>")]))
    path = write_hwpx(tmp_path / "box.hwpx", {"Contents/section0.xml": section_xml(body)})
    assert hwpx.parse(path).sections[0].text == "첫째\n둘째"


def test_other_namespace_versions_are_read(tmp_path: Path) -> None:
    body = para("<hp:t>새 버전</hp:t>")
    xml = section_xml(body, ns="http://www.hancom.co.kr/hwpml/2016/paragraph")
    path = write_hwpx(tmp_path / "ns.hwpx", {"Contents/section0.xml": xml})
    assert hwpx.parse(path).sections[0].text == "새 버전"


def test_spine_order_and_metadata_title(tmp_path: Path) -> None:
    members = {
        "Contents/content.hpf": package("  문서 제목 ", ["section1.xml", "section0.xml"]),
        "Contents/section0.xml": section_xml(para("<hp:t>영</hp:t>")),
        "Contents/section1.xml": section_xml(para("<hp:t>일</hp:t>")),
    }
    doc = hwpx.parse(write_hwpx(tmp_path / "spine.hwpx", members))
    assert doc.title == "문서 제목"
    assert [(s.location, s.text) for s in doc.sections] == [
        ("section 1", "일"),
        ("section 2", "영"),
    ]


def test_without_package_sections_are_sorted_numerically(tmp_path: Path) -> None:
    members = {
        f"Contents/section{n}.xml": section_xml(para(f"<hp:t>s{n}</hp:t>")) for n in (10, 2, 0, 1)
    }
    doc = hwpx.parse(write_hwpx(tmp_path / "nomanifest.hwpx", members, mimetype=None))
    assert [s.text for s in doc.sections] == ["s0", "s1", "s2", "s10"]


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    xml = (
        '<?xml version="1.0"?><!DOCTYPE sec [<!ENTITY a "AAAAAAAAAA">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<hs:sec xmlns:hs="{HS}" xmlns:hp="{HP}">' + para("<hp:t>본문&b;</hp:t>") + "</hs:sec>"
    ).encode()
    path = write_hwpx(tmp_path / "entities.hwpx", {"Contents/section0.xml": xml})
    assert hwpx.parse(path).sections[0].text == "본문"


# --------------------------------------------------------------------------- broken HWPX


def test_random_bytes_hwpx(tmp_path: Path) -> None:
    path = tmp_path / "random.hwpx"
    path.write_bytes(random.Random(7).randbytes(4000))
    with pytest.raises(ParseError, match="not a valid HWPX file"):
        hwpx.parse(path)


def test_zip_without_sections(tmp_path: Path) -> None:
    path = write_hwpx(tmp_path / "empty.hwpx", {"settings.xml": b"<x/>"})
    with pytest.raises(ParseError, match="no body section"):
        hwpx.parse(path)


def test_section_listed_in_manifest_but_missing(tmp_path: Path) -> None:
    members = {
        "Contents/content.hpf": package("t", ["section0.xml", "section1.xml"]),
        "Contents/section0.xml": section_xml(para("<hp:t>a</hp:t>")),
    }
    with pytest.raises(ParseError, match="section1.xml.*missing"):
        hwpx.parse(write_hwpx(tmp_path / "missing.hwpx", members))


def test_malformed_section_xml(tmp_path: Path) -> None:
    members = {"Contents/section0.xml": b"<hs:sec><hp:p><hp:run><hp:t>oops</hp:run>"}
    with pytest.raises(ParseError, match="section0.xml is not well-formed XML"):
        hwpx.parse(write_hwpx(tmp_path / "bad.hwpx", members))


def test_wrong_mimetype(tmp_path: Path) -> None:
    members = {"Contents/section0.xml": section_xml(para("<hp:t>a</hp:t>"))}
    path = write_hwpx(
        tmp_path / "odt.hwpx", members, mimetype="application/vnd.oasis.opendocument.text"
    )
    with pytest.raises(ParseError, match="mimetype"):
        hwpx.parse(path)


def test_encrypted_hwpx_package(tmp_path: Path) -> None:
    manifest = (
        b'<odf:manifest xmlns:odf="x"><odf:file-entry>'
        b"<odf:encryption-data/></odf:file-entry></odf:manifest>"
    )
    members = {"META-INF/manifest.xml": manifest, "Contents/section0.xml": b"\x8f\x02garbage"}
    with pytest.raises(ParseError, match="password"):
        hwpx.parse(write_hwpx(tmp_path / "locked.hwpx", members))


def test_decompression_bomb_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(hwpx, "_MAX_INFLATED_BYTES", 10_000)
    big = section_xml(para("<hp:t>" + "가" * 20_000 + "</hp:t>"))
    path = write_hwpx(tmp_path / "bomb.hwpx", {"Contents/section0.xml": big})
    with pytest.raises(ParseError, match="200 MB"):
        hwpx.parse(path)


@pytest.mark.shared_data
def test_truncated_hwpx(tmp_path: Path) -> None:
    data = sample("mcst-press-release-2024.hwpx").read_bytes()
    for fraction in (0.1, 0.5, 0.9):
        path = tmp_path / f"cut{fraction}.hwpx"
        path.write_bytes(data[: int(len(data) * fraction)])
        with pytest.raises(ParseError, match="HWPX"):
            hwpx.parse(path)


# --------------------------------------------------------------------------- broken HWP


def test_random_bytes_hwp(tmp_path: Path) -> None:
    path = tmp_path / "random.hwp"
    path.write_bytes(random.Random(3).randbytes(4000))
    with pytest.raises(ParseError, match="not a valid HWP file"):
        hwp.parse(path)


def test_hwp3_file_names_its_version(tmp_path: Path) -> None:
    path = tmp_path / "old.hwp"
    path.write_bytes(b"HWP Document File V3.00 \x1a\x01\x02\x03\x04\x05" + bytes(200))
    with pytest.raises(ParseError, match=r"HWP 3\.00.*HWPX"):
        hwp.parse(path)


def test_hwpx_named_hwp(tmp_path: Path) -> None:
    path = write_hwpx(
        tmp_path / "really.hwp", {"Contents/section0.xml": section_xml(para("<hp:t>a</hp:t>"))}
    )
    with pytest.raises(ParseError, match="rename it to .hwpx"):
        hwp.parse(path)


def patched_header(tmp_path: Path, *, version: int | None = None, flags: int | None = None) -> Path:
    """A copy of a real HWP with its FileHeader version/flags overwritten in place."""
    data = bytearray(sample("msit-press-release-nuri-2018.hwp").read_bytes())
    at = data.index(b"HWP Document File")
    old_version, old_flags = struct.unpack_from("<II", data, at + 32)
    struct.pack_into(
        "<II",
        data,
        at + 32,
        old_version if version is None else version,
        old_flags if flags is None else flags,
    )
    path = tmp_path / "patched.hwp"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.shared_data
def test_password_protected_hwp(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="password-protected.*remove the password"):
        hwp.parse(patched_header(tmp_path, flags=0b11))


@pytest.mark.shared_data
def test_other_hwp_version_is_named(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match=r"version 4\.0\.0\.0.*HWP \(5\.0\) or HWPX"):
        hwp.parse(patched_header(tmp_path, version=0x04000000))


@pytest.mark.shared_data
def test_distribution_flag_without_view_text_is_not_read_from_body_text(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="ViewText"):
        hwp.parse(patched_header(tmp_path, flags=0b101))


@pytest.mark.shared_data
def test_bad_deflate_data(tmp_path: Path) -> None:
    # Claim compression on a file whose body is stored plain.
    data = bytearray(sample("hwplib-etc.hwp").read_bytes())
    at = data.index(b"HWP Document File")
    struct.pack_into("<I", data, at + 36, 1)
    path = tmp_path / "deflate.hwp"
    path.write_bytes(bytes(data))
    with pytest.raises(ParseError, match="deflate|truncated|damaged"):
        hwp.parse(path)


@pytest.mark.shared_data
def test_truncated_hwp(tmp_path: Path) -> None:
    data = sample("msit-press-release-nuri-2018.hwp").read_bytes()
    for fraction in (0.1, 0.5, 0.9):
        path = tmp_path / f"cut{fraction}.hwp"
        path.write_bytes(data[: int(len(data) * fraction)])
        with pytest.raises(ParseError, match="HWP"):
            hwp.parse(path)


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["msit-press-release-nuri-2018.hwp", "distribution-encrypted.hwp"])
def test_damaged_hwp_never_raises_raw_errors(tmp_path: Path, name: str) -> None:
    original = sample(name).read_bytes()
    rng = random.Random(name)
    for attempt in range(25):
        data = bytearray(original)
        for _ in range(20):
            data[rng.randrange(512, len(data))] = rng.randrange(256)
        cut = len(data) if attempt % 2 else rng.randrange(512, len(data))
        path = tmp_path / f"damaged{attempt}.hwp"
        path.write_bytes(bytes(data[:cut]))
        try:
            doc = hwp.parse(path)
        except ParseError:
            continue
        assert not STRAY_CONTROLS.search(full_text(doc))


# --------------------------------------------------------------------------- records


def record(tag: int, level: int, payload: bytes) -> bytes:
    if len(payload) >= 0xFFF:
        return struct.pack("<II", tag | level << 10 | 0xFFF << 20, len(payload)) + payload
    return struct.pack("<I", tag | level << 10 | len(payload) << 20) + payload


def wchars(*parts: str | int) -> bytes:
    """PARA_TEXT payload: strings as UTF-16, ints as an 8-WCHAR control."""
    out = b""
    for part in parts:
        if isinstance(part, int):
            out += struct.pack("<H", part) + b"dces" + bytes(8) + struct.pack("<H", part)
        else:
            out += part.encode("utf-16-le")
    return out


def test_para_text_controls_are_skipped() -> None:
    payload = (
        wchars(2, "가나", 11, "다")
        + struct.pack("<H", 9)
        + bytes(14)
        + wchars("라\x18마\x1e바\n사😀\r")
    )
    assert records.decode_para_text(payload) == "가나다\t라-마 바\n사😀"


def test_records_with_long_size_and_tree() -> None:
    long_text = "가" * 3000
    stream = (
        record(records.TAG_PARA_HEADER, 0, bytes(24))
        + record(records.TAG_PARA_TEXT, 1, wchars(long_text, "\r"))
        + record(records.TAG_PARA_HEADER, 0, bytes(24))
        + record(records.TAG_PARA_TEXT, 1, wchars(11, "표\r"))
        + record(records.TAG_CTRL_HEADER, 1, b" lbt" + bytes(40))
        + record(records.TAG_TABLE, 2, struct.pack("<IHH", 0, 2, 2))
        + b"".join(
            record(records.TAG_LIST_HEADER, 2, struct.pack("<HHIHH", 1, 0, 0, col, row) + bytes(20))
            + record(records.TAG_PARA_HEADER, 2, bytes(24))
            + record(records.TAG_PARA_TEXT, 3, wchars(f"r{row}c{col}\r"))
            for row, col in ((0, 1), (0, 0), (1, 0), (1, 1))
        )
    )
    tree = records.build_tree(records.read_records(stream))
    assert records.section_lines(tree) == [long_text, "표", "r0c0 | r0c1", "r1c0 | r1c1"]


def test_truncated_record_stream() -> None:
    stream = record(records.TAG_PARA_TEXT, 0, wchars("가나다"))
    for cut in (2, 5, len(stream) - 1):
        with pytest.raises(ParseError, match="truncated"):
            records.read_records(stream[:cut])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_para_text_never_leaks_controls(payload: bytes) -> None:
    assert not STRAY_CONTROLS.search(records.decode_para_text(payload))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_record_streams_raise_only_parse_error(data: bytes) -> None:
    try:
        tree = records.build_tree(records.read_records(data))
    except ParseError:
        return
    for line in records.section_lines(tree):
        assert not STRAY_CONTROLS.search(line)


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        (
            ["A", "1", "제목", "0,0 | 0,1 | 0,2", "2026년 스마트공장 지원사업 공고", "본문"],
            "2026년 스마트공장 지원사업 공고",
        ),
        (
            ["문화체육관광부 | 보도자료", "□ 목 차", "선수단 격려 행사 개최"],
            "선수단 격려 행사 개최",
        ),
        (["1", "A", "0,0 | 0,1"], ""),  # nothing reads as a title: the file name is used
        (["본문 " * 40], ""),  # a long sentence is not a title
    ],
)
def test_a_fallback_title_is_a_line_that_reads_as_one(lines, title):
    from jisik.ingest.parsers._hwp_records import title_from_texts

    assert title_from_texts(["\n".join(lines)]) == title


def test_hwp_tables_get_headers_only_when_they_are_grids() -> None:
    from jisik.ingest.parsers._hwp_records import format_table

    grid = [["구분", "경조 휴가", "경조금"], ["본인 결혼", "5일", "100만 원"], ["자녀 결혼", "1일", "30만 원"]]
    assert format_table(grid)[1:] == [
        "구분: 본인 결혼 | 경조 휴가: 5일 | 경조금: 100만 원",
        "구분: 자녀 결혼 | 경조 휴가: 1일 | 경조금: 30만 원",
    ]
    # A form laid out as a table: its first row holds a value, not column names.
    form = [["보도일시", "2018. 9. 4."], ["담당부서", "우주정책과"], ["담당자", "홍길동"]]
    assert format_table(form) == ["보도일시 | 2018. 9. 4.", "담당부서 | 우주정책과", "담당자 | 홍길동"]
    # Two rows only, or rows of another width (merged cells), stay as they are.
    assert format_table(grid[:2]) == ["구분 | 경조 휴가 | 경조금", "본인 결혼 | 5일 | 100만 원"]
    ragged = [*grid, ["합계", "130만 원"]]
    assert format_table(ragged)[-1] == "합계 | 130만 원"
