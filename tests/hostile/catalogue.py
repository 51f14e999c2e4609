"""The hostile files of the suite and what must become of each.

``build`` writes them into a folder, beside a few sound documents, and returns the
expected outcome per relative name: ``Expect("failed", pattern)`` (reported failed
with a reason matching the pattern) or ``Expect("ingested")`` (safely read: the
limit it approaches is not crossed). Sizes are parameters so that
benchmarks/hostile.py can write the issue's originals (a 3.6 MB line, a docx
inflating to 450 MB) from the same code.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from tests.conftest import HANDBOOK
from tests.hostile import files
from tests.hostile.files import KB, MB

ZIP_KINDS = ("docx", "pptx", "xlsx", "hwpx")
SENTENCE = "직원은 연차를 신청하고 팀장은 이를 승인한다. "


@dataclass(frozen=True)
class Expect:
    outcome: str  # "failed" or "ingested"
    reason: str = ""  # a regular expression the failure's reason must match


@dataclass(frozen=True)
class Sizes:
    long_line_chars: int = 100_000
    xml_part_mb: int = 100  # the XML part cap; files are written 1 MB under and over
    total_mb: int = 500  # the total inflated cap
    ratio_floor_mb: int = 8
    deep_levels: int = 100_000
    hog_xml_mb: int = 48  # a docx under every cap whose XML tree is several times this
    total_kinds: tuple[str, ...] = ("docx", "hwpx")  # the total cap: one per code path
    xml_under_kinds: tuple[str, ...] = ("docx", "hwpx")


def base(kind: str, scratch: Path) -> Path:
    path = scratch / f"base.{kind}"
    if not path.exists():
        if kind == "hwpx":
            files.hwpx(path, files.hwpx_section(["휴가 규정", files.BODY]))
        else:
            files.office(kind, path)
    return path


def with_parts(kind: str, scratch: Path, target: Path, parts: list[files.Member]) -> Path:
    """A sound file of ``kind`` plus extra, unreferenced members (never read as text)."""
    return files.write_zip(target, files.members_of(base(kind, scratch)) + parts)


def build(folder: Path, scratch: Path, sizes: Sizes = Sizes()) -> dict[str, Expect]:
    folder.mkdir(parents=True, exist_ok=True)
    scratch.mkdir(parents=True, exist_ok=True)
    expect: dict[str, Expect] = {}
    for relative, text in HANDBOOK.items():  # the sound documents of the batch
        path = folder / "normal" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        expect[f"normal/{relative}"] = Expect("ingested")
    _bombs(folder / "bombs", scratch, sizes, expect)
    _entities(folder / "xml", scratch, sizes, expect)
    _long_lines(folder / "long", sizes, expect)
    _odd_types(folder / "odd", scratch, expect)
    _names(folder / "names", expect)
    _links(folder / "links", scratch, expect)
    return expect


def _bombs(folder: Path, scratch: Path, sizes: Sizes, expect: dict[str, Expect]) -> None:
    folder.mkdir(parents=True)
    floor, xml_cap = sizes.ratio_floor_mb * MB, sizes.xml_part_mb * MB
    part = int(7.9 * MB)  # one part just under the ratio floor, at 1000:1
    under_floor = files.deflated("extra/a.bin", files.zeros(floor - MB // 8))
    over_floor = files.deflated("extra/a.bin", files.zeros(floor + MB // 8))
    # about 55:1, under the ratio limit: only the XML part cap can refuse these
    xml_over = files.deflated(
        "extra/a.xml", files.xml_part(files.runs(xml_cap + MB), xml_cap + MB), 1
    )
    xml_under = files.deflated(
        "extra/a.xml", files.xml_part(files.runs(xml_cap - MB), xml_cap - MB), 1
    )
    total_part = files.deflated("extra/0.bin", files.zeros(part))
    count = int(sizes.total_mb * MB // part)
    inner = files.zip_of(scratch / "inner-bomb.zip", "zeros.bin", files.zeros(64 * MB))
    for kind in ZIP_KINDS:
        with_parts(kind, scratch, folder / f"ratio-under.{kind}", [under_floor])
        expect[f"bombs/ratio-under.{kind}"] = Expect("ingested")
        with_parts(kind, scratch, folder / f"ratio-over.{kind}", [over_floor])
        expect[f"bombs/ratio-over.{kind}"] = Expect(
            "failed", r"inflates \d+:1 to 8 MB; more than 100:1"
        )
        with_parts(kind, scratch, folder / f"xml-over.{kind}", [xml_over])
        expect[f"bombs/xml-over.{kind}"] = Expect(
            "failed", r"XML part 'extra/a.xml' is \d+ MB, over the 100 MB"
        )
        if kind in sizes.xml_under_kinds:
            with_parts(kind, scratch, folder / f"xml-under.{kind}", [xml_under])
            expect[f"bombs/xml-under.{kind}"] = Expect("ingested")
        if kind in sizes.total_kinds:
            for label, n in (("under", count - 1), ("over", count + 1)):
                parts = [replace(total_part, name=f"extra/{i}.bin") for i in range(n)]
                with_parts(kind, scratch, folder / f"total-{label}.{kind}", parts)
            expect[f"bombs/total-under.{kind}"] = Expect("ingested")
            expect[f"bombs/total-over.{kind}"] = Expect("failed", r"expands to over 500 MB")
        if kind != "hwpx":
            files.nested_zip(base(kind, scratch), inner, folder / f"nested.{kind}")
            expect[f"bombs/nested.{kind}"] = Expect("ingested")  # an embedding is never opened
    # Under every cap, but a tree of this much XML takes gigabytes: the budget stops it.
    hog = folder / "memory-hog.docx"
    _paragraph_heavy_docx(base("docx", scratch), hog, sizes.hog_xml_mb * MB)
    expect["bombs/memory-hog.docx"] = Expect("failed", r"needed more than \d+ MB of memory")


def _paragraph_heavy_docx(base_docx: Path, target: Path, size: int) -> None:
    def paragraphs():
        written = 0
        yield b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        while written < size:
            letters = os.urandom(2048)
            chunk = b"".join(
                b"<w:p><w:r><w:t>" + bytes([65 + b % 26]) * 24 + b"</w:t></w:r></w:p>"
                for b in letters
            )
            written += len(chunk)
            yield chunk
        yield b"</w:body></w:document>"

    with (
        zipfile.ZipFile(base_docx) as zin,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            if info.filename == "word/document.xml":
                with zout.open(info.filename, "w", force_zip64=True) as member:
                    for chunk in paragraphs():
                        member.write(chunk)
            else:
                zout.writestr(info.filename, zin.read(info.filename))


def _entities(folder: Path, scratch: Path, sizes: Sizes, expect: dict[str, Expect]) -> None:
    folder.mkdir(parents=True)
    secret = scratch / "secret.txt"
    secret.write_text(files.SECRET)
    tricks = {
        "laughs": (files.LAUGHS_DTD, "&i;"),
        "xxe": (files.xxe_dtd(secret), "&xxe;"),
        "external": (files.EXTERNAL_DTD, ""),
    }
    refused = r"declares a DOCTYPE or XML entities"
    for kind in ("docx", "pptx", "xlsx"):
        part = files.OOXML_MAIN[kind]
        for trick, (dtd, reference) in tricks.items():
            xml = files.with_dtd(files.member(base(kind, scratch), part), dtd, reference)
            files.rezip(base(kind, scratch), folder / f"{trick}.{kind}", replace={part: xml})
            expect[f"xml/{trick}.{kind}"] = Expect("failed", refused)
    for trick, (dtd, reference) in tricks.items():
        files.hwpx(folder / f"{trick}.hwpx", files.hwpx_section([f"본문 내용{reference}"], dtd))
        expect[f"xml/{trick}.hwpx"] = (
            Expect("failed", "amplification") if trick == "laughs" else Expect("ingested")
        )
    deep_docx = (
        files.member(base("docx", scratch), "word/document.xml")
        .replace(b"<w:body>", b"<w:body>" + b"<w:sdt><w:sdtContent>" * 5000, 1)
        .replace(b"</w:body>", b"</w:sdtContent></w:sdt>" * 5000 + b"</w:body>", 1)
    )
    files.rezip(
        base("docx", scratch), folder / "deep.docx", replace={"word/document.xml": deep_docx}
    )
    expect["xml/deep.docx"] = Expect("failed", "damaged XML")
    deep = "<hp:subList>" * 400 + "<hp:t>x</hp:t>" + "</hp:subList>" * 400
    section = files.hwpx_section([]).replace(b"</hs:sec>", f"<hp:p>{deep}</hp:p></hs:sec>".encode())
    files.hwpx(folder / "deep.hwpx", section)
    expect["xml/deep.hwpx"] = Expect("failed", "not well-formed XML")
    levels = sizes.deep_levels
    (folder / "deep.html").write_text(
        "<html><body>"
        + "<div>" * levels
        + "깊은 곳의 문장입니다."
        + "</div>" * levels
        + "</body></html>",
        encoding="utf-8",
    )
    expect["xml/deep.html"] = Expect("failed", "HTML nested more than 10000 elements deep")


def _long_lines(folder: Path, sizes: Sizes, expect: dict[str, Expect]) -> None:
    folder.mkdir(parents=True)
    n = sizes.long_line_chars
    line = (SENTENCE * (n // len(SENTENCE) + 1))[:n]
    (folder / "line.txt").write_text(line, encoding="utf-8")
    (folder / "token.txt").write_text("x" * n, encoding="utf-8")
    (folder / "stars.md").write_text("# 별표\n" + "*a " * (n // 3) + "\n", encoding="utf-8")
    (folder / "cell.csv").write_text(
        "항목,내용\n긴 칸," + "가나다 " * (n // 4) + "\n", encoding="utf-8"
    )
    (folder / "spaces.md").write_text("| " + " " * n + "x\n", encoding="utf-8")
    for name in ("line.txt", "token.txt", "stars.md"):
        expect[f"long/{name}"] = Expect("ingested")
    # Python's csv module stops at fields over 128 KiB, with that reason
    too_long = n // 4 * 4 > 131_072
    expect["long/cell.csv"] = Expect("failed", "field larger") if too_long else Expect("ingested")
    expect["long/spaces.md"] = Expect("ingested")


def _odd_types(folder: Path, scratch: Path, expect: dict[str, Expect]) -> None:
    folder.mkdir(parents=True)
    pdf = _pdf(scratch / "real.pdf")
    docx = base("docx", scratch).read_bytes()
    odd = {
        "binary.txt": (os.urandom(64 * KB), "binary file"),
        "nul.txt": (b"\x00" * 100_000, "binary file"),
        "pdf-named.docx": (pdf.read_bytes(), "not a valid DOCX file: the zip archive is damaged"),
        "zip-named.pdf": (docx, "not a valid PDF file"),
        "zip-named.hwp": (docx, "rename it to .hwpx"),
        "truncated.docx": (docx[: len(docx) // 2], "the zip archive is damaged"),
        "truncated.pdf": (pdf.read_bytes()[: pdf.stat().st_size // 2], "PDF"),
        "empty.md": (b"", "empty"),
        "ole.xlsx": (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
            "password-protected or legacy",
        ),
        "random.hwpx": (os.urandom(4 * KB), "not a valid HWPX file"),
        "noextension": (b"hello", "unsupported file type"),
    }
    for name, (data, reason) in odd.items():
        (folder / name).write_bytes(data)
        expect[f"odd/{name}"] = Expect("failed", reason)


def _pdf(path: Path) -> Path:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    for n in range(3):
        pdf.drawString(72, 760, f"Leave policy page {n}: fifteen days of paid leave.")
        pdf.showPage()
    pdf.save()
    return path


# Names a file may have here (ingested, their titles neutralised) ...
HOSTILE_NAMES = {
    "bidi": "보고서\u202etxt.md",
    "control": "red\x1b[31mtext.txt",
    "isolate": "메모\u2066숨김\u2069.md",
    "long": "가" * 83 + ".txt",  # 253 bytes, about what a file system takes
}
# ... and upload names the server refuses (422), whatever the file holds.
REFUSED_UPLOAD_NAMES = {
    **{label: name for label, name in HOSTILE_NAMES.items() if label != "long"},
    "zero-width": "invoice\u200b.pdf.md",
    "nul": "a\x00b.txt",
    "too-long": "가" * 90 + ".md",
    "line-separator": "one\u2028two.md",
}


def _names(folder: Path, expect: dict[str, Expect]) -> None:
    folder.mkdir(parents=True)
    for label, name in HOSTILE_NAMES.items():
        (folder / name).write_text(
            f"# 이름 시험 {label}\n이름이 이상한 파일의 본문입니다.\n", encoding="utf-8"
        )
        expect[f"names/{name}"] = Expect("ingested")  # with a neutralised title


def _links(folder: Path, scratch: Path, expect: dict[str, Expect]) -> None:
    folder.mkdir(parents=True)
    (folder / "secret.txt").symlink_to(scratch / "secret.txt")
    (folder / "etc").symlink_to(scratch, target_is_directory=True)
    for name in ("secret.txt", "etc"):
        expect[f"links/{name}"] = Expect("failed", "outside the folder being added")
