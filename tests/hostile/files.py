"""Hostile files, written on demand: zip bombs near every limit, XML entity tricks,
long lines, deep nesting, odd types and names. Shared by the hostile suite, the
parser-limit unit tests and benchmarks/hostile.py (sizes are parameters there)."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

SECRET = "TOPSECRET-7f3a91"  # the content of a file outside every added folder
KB, MB = 1024, 1024 * 1024

OOXML_MAIN = {
    "docx": "word/document.xml",
    "pptx": "ppt/slides/slide1.xml",
    "xlsx": "xl/worksheets/sheet1.xml",
}
BODY = "연차휴가 규정: 입사 첫해에는 한 달 개근할 때마다 1일의 유급휴가가 생깁니다."


# --- zip writing -------------------------------------------------------------------


def runs(total: int, run: int = 200) -> Iterator[bytes]:
    """``total`` bytes of letters in runs of ``run``: deflate shrinks runs of 200
    about 60:1, of 1000 about 250:1, so the ratio is chosen by the run length."""
    block = 4096 * run
    written = 0
    while written < total:
        size = min(block, total - written)
        letters = os.urandom(-(-size // run))
        chunk = b"".join(bytes([65 + b % 26]) * run for b in letters)[:size]
        written += len(chunk)
        yield chunk


def zeros(total: int) -> Iterator[bytes]:
    """``total`` bytes of one letter: deflate shrinks it about 1000:1."""
    chunk = b"a" * MB
    for at in range(0, total, MB):
        yield chunk[: min(MB, total - at)]


def xml_part(body: Iterable[bytes], size: int) -> Iterator[bytes]:
    """An XML part of exactly ``size`` bytes whose text is ``body`` (cut to fit)."""
    head, tail = b'<?xml version="1.0" encoding="UTF-8"?><x>', b"</x>"
    left = size - len(head) - len(tail)
    yield head
    for chunk in body:
        if left <= 0:
            break
        yield chunk[:left]
        left -= len(chunk[:left])
    yield b"a" * max(0, left)
    yield tail


@dataclass(frozen=True)
class Member:
    """A zip member already compressed, so that one bomb can be written many times
    (under many names, into many files) for the price of compressing it once."""

    name: str
    raw: bytes
    crc: int
    size: int
    method: int = zipfile.ZIP_DEFLATED


def deflated(name: str, chunks: Iterable[bytes], level: int = 6) -> Member:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    raw, crc, size = [], 0, 0
    for chunk in chunks:
        raw.append(compressor.compress(chunk))
        crc, size = zlib.crc32(chunk, crc), size + len(chunk)
    raw.append(compressor.flush())
    return Member(name, b"".join(raw), crc, size)


def stored(name: str, data: bytes) -> Member:
    return Member(name, data, zlib.crc32(data), len(data), zipfile.ZIP_STORED)


def members_of(path: Path) -> list[Member]:
    """The members of a (small) zip, compressed again."""
    with zipfile.ZipFile(path) as archive:
        return [
            stored(i.filename, archive.read(i))
            if i.compress_type == zipfile.ZIP_STORED
            else deflated(i.filename, [archive.read(i)])
            for i in archive.infolist()
        ]


def write_zip(path: Path, members: Iterable[Member]) -> Path:
    """A plain zip (no zip64: members and total under 4 GB) of ready members."""
    central, offset = [], 0
    with open(path, "wb") as out:
        for m in members:
            name = m.name.encode("utf-8")
            flags = 0x800 if not name.isascii() else 0
            fixed = struct.pack(
                "<HHHHHIII", 20, flags, m.method, 0, 0x21, m.crc, len(m.raw), m.size
            )
            out.write(b"PK\x03\x04" + fixed + struct.pack("<HH", len(name), 0) + name + m.raw)
            central.append(
                b"PK\x01\x02"
                + struct.pack("<H", 20)
                + fixed
                + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, offset)
                + name
            )
            offset += 30 + len(name) + len(m.raw)
        directory = b"".join(central)
        out.write(directory)
        out.write(
            b"PK\x05\x06"
            + struct.pack("<HHHHIIH", 0, 0, len(central), len(central), len(directory), offset, 0)
        )
    return path


def rezip(
    src: Path,
    dst: Path,
    replace: dict[str, bytes] | None = None,
    extra: dict[str, Iterable[bytes]] | None = None,
) -> Path:
    """A copy of the zip ``src`` with members replaced and streamed extra members."""
    replace, extra = replace or {}, extra or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
        for name, chunks in extra.items():
            with zout.open(name, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
    return dst


def zip_of(path: Path, name: str, chunks: Iterable[bytes]) -> Path:
    """A zip of one streamed member."""
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open(name, "w", force_zip64=True) as member,
    ):
        for chunk in chunks:
            member.write(chunk)
    return path


def office(kind: str, path: Path, text: str = BODY, title: str = "") -> Path:
    """A small sound .docx/.pptx/.xlsx written by the libraries themselves."""
    if kind == "docx":
        import docx

        document = docx.Document()
        document.add_heading("휴가 규정", 1)
        document.add_paragraph(text)
        document.core_properties.title = title
        document.save(path)
    elif kind == "pptx":
        import pptx

        deck = pptx.Presentation()
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = "휴가 규정"
        slide.placeholders[1].text = text
        deck.core_properties.title = title
        deck.save(path)
    elif kind == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["항목", "내용"])
        sheet.append(["연차", text])
        book.properties.title = title
        book.save(path)
    else:
        raise ValueError(kind)
    return path


# --- HWPX --------------------------------------------------------------------------

HP = "http://www.hancom.co.kr/hwpml/2011/paragraph"
HS = "http://www.hancom.co.kr/hwpml/2011/section"


def hwpx_section(paragraphs: Iterable[str], dtd: str = "") -> bytes:
    body = "".join(f"<hp:p><hp:run><hp:t>{p}</hp:t></hp:run></hp:p>" for p in paragraphs)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{dtd}'
        f'<hs:sec xmlns:hs="{HS}" xmlns:hp="{HP}">{body}</hs:sec>'
    ).encode()


def hwpx(path: Path, section: bytes, extra: dict[str, Iterable[bytes]] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/hwp+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("Contents/section0.xml", section)
        for name, chunks in (extra or {}).items():
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
    return path


# --- XML entity tricks -----------------------------------------------------------


def xxe_dtd(target: Path) -> str:
    return f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{target}">]>'


LAUGHS_DTD = (
    '<!DOCTYPE x [<!ENTITY a "hahahahaha">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + "]>"
)  # &i; is 10^9 characters
EXTERNAL_DTD = '<!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd">'


def with_dtd(xml: bytes, dtd: str, reference: str = "") -> bytes:
    """``xml`` with ``dtd`` after its declaration and ``reference`` in its first text."""
    text = xml.decode("utf-8")
    if text.startswith("<?xml"):
        end = text.index("?>") + 2
        text = text[:end] + dtd + text[end:]
    else:
        text = dtd + text
    if reference:
        for marker in ("휴가 규정", "<hp:t>", "<t>"):
            if marker in text:
                text = text.replace(marker, marker + reference, 1)
                break
    return text.encode("utf-8")


def member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def nested_zip(base: Path, inner: Path, path: Path) -> Path:
    """The Office file ``base`` with another zip among its embeddings."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(inner, "inner.zip")
    folder = {".docx": "word", ".pptx": "ppt", ".xlsx": "xl"}[base.suffix]
    return rezip(base, path, extra={f"{folder}/embeddings/package.bin": [buffer.getvalue()]})
