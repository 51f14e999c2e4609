"""HWP 5.0 binary (.hwp) parser.

An HWP 5 file is an OLE compound file: ``FileHeader`` says which version it is and
whether the body is compressed, password-encrypted or a distribution (배포용)
document; ``BodyText/SectionN`` hold the record streams of the body, raw-deflated
when compressed. Distribution documents keep only a placeholder in BodyText and the
real body in ``ViewText/SectionN``, AES-128-ECB encrypted with a key scrambled into
the stream's first record; we decrypt it when the ``cryptography`` package is there.
"""

from __future__ import annotations

import logging
import re
import struct
import zlib
from pathlib import Path

import olefile

from jisik.errors import ParseError
from jisik.ingest import ocr
from jisik.ingest.parsers import _hwp_records as records
from jisik.ingest.parsers._common import MAX_RATIO, RATIO_FLOOR_BYTES
from jisik.ingest.parsers._hwp_outline import outline_sections
from jisik.types import ParsedDocument

logger = logging.getLogger(__name__)

_SIGNATURE = b"HWP Document File"
_FILE_HEADER_SIZE = 40  # signature (32) + version (4) + flags (4); the rest is reserved
_FLAG_COMPRESSED = 1 << 0
_FLAG_PASSWORD = 1 << 1
_FLAG_DISTRIBUTION = 1 << 2
_FLAG_DRM = (1 << 4) | (1 << 8) | (1 << 10)  # DRM, certificate encryption, certificate DRM

_SUMMARY_STREAM = "\x05HwpSummaryInformation"
_PID_TITLE = 2

# Total inflated size we accept for one document: real bodies are a few MB at most,
# a larger one is much more likely a decompression bomb than a document.
_MAX_INFLATED_BYTES = 200 * 1024 * 1024

_DIST_RECORD_SIZE = 256
_DAMAGED_DIST = "damaged distribution (배포용) HWP file"
_AES_BLOCK = 16

# What olefile raises on damaged or truncated containers (NotOleFileError is an OSError).
_OLE_ERRORS = (OSError, ValueError, struct.error, IndexError, EOFError, KeyError)

_SECTION_STREAM = re.compile(r"Section(\d+)")

DISTRIBUTION_REASON = (
    "distribution-only (배포용) HWP document: its text is encrypted for viewing only; "
    "save it as a normal HWP/HWPX in Hancom Office and add that file"
)


def parse(path: Path) -> ParsedDocument:
    _check_signature(path)
    try:
        with olefile.OleFileIO(str(path)) as ole:
            return _parse_ole(ole)
    except _OLE_ERRORS as exc:
        raise ParseError(f"damaged HWP file (the OLE container cannot be read: {exc})") from exc
    except RecursionError as exc:
        raise ParseError("damaged HWP file: objects are nested too deeply to read") from exc


def _check_signature(path: Path) -> None:
    """Give a precise reason for files that are not HWP 5 OLE files at all."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror or exc}") from exc
    if head.startswith(_SIGNATURE + b" V"):
        # HWP 2.x/3.x files are not OLE files and start with their version in clear.
        version = head[len(_SIGNATURE) + 2 : len(_SIGNATURE) + 6].decode("ascii", "replace")
        raise ParseError(
            f"old HWP {version} file: only HWP 5.x is supported; "
            "open it in Hancom Office and save it as HWP (5.0) or HWPX"
        )
    if head.startswith(b"PK\x03\x04"):
        raise ParseError(
            "not an HWP 5 file: it is a zip archive (probably an HWPX file named .hwp); "
            "rename it to .hwpx"
        )
    if not head.startswith(olefile.MAGIC):
        raise ParseError("not a valid HWP file (it is not an OLE compound document)")


def _parse_ole(ole: olefile.OleFileIO) -> ParsedDocument:
    flags = _read_file_header(ole)
    compressed = bool(flags & _FLAG_COMPRESSED)
    if flags & _FLAG_DISTRIBUTION:
        names = _section_streams(ole, "ViewText")
    else:
        names = _section_streams(ole, "BodyText")
    budget = _MAX_INFLATED_BYTES  # shared by all sections
    sections = []
    for number, name in enumerate(names, start=1):
        raw = ole.openstream(name).read()
        if flags & _FLAG_DISTRIBUTION:
            raw = _decrypt_distribution(raw)
        data = _inflate(raw, budget) if compressed else raw
        budget -= len(data)
        lines = records.section_lines(records.build_tree(records.read_records(data)))
        sections.extend(outline_sections(lines, number))
    if not any(s.text.strip() for s in sections) and ocr.available():
        sections = ocr.picture_sections(_pictures(ole, budget)) or sections
    title = _summary_title(ole) or records.title_from_texts([s.text for s in sections])
    return ParsedDocument(title=title, sections=tuple(sections), format="hwp")


def _pictures(ole: olefile.OleFileIO, budget: int):
    """BinData pictures in stream order; stored raw or raw-deflated, whichever opens."""
    names = sorted(
        "/".join(entry)
        for entry in ole.listdir(streams=True, storages=False)
        if len(entry) == 2 and entry[0] == "BinData"
        and entry[1].lower().endswith(ocr.PICTURE_SUFFIXES)
    )
    for name in names:
        raw = ole.openstream(name).read()
        if raw[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1") or raw[:2] in (b"BM", b"\xff\xd8"):
            yield raw
            continue
        try:
            data = _inflate(raw, budget)
        except ParseError:
            continue  # not deflated either: not a picture we can read
        budget -= len(data)
        yield data


def _read_file_header(ole: olefile.OleFileIO) -> int:
    """Check signature and version; refuse encrypted files; return the flags."""
    if not ole.exists("FileHeader"):
        raise ParseError("not an HWP file, or a damaged one: the OLE file has no FileHeader stream")
    header = ole.openstream("FileHeader").read()
    if len(header) < _FILE_HEADER_SIZE or not header.startswith(_SIGNATURE):
        raise ParseError("not a valid HWP file: its FileHeader signature is missing or damaged")
    version, flags = struct.unpack_from("<II", header, 32)
    major = version >> 24
    if major != 5:
        dotted = ".".join(str((version >> shift) & 0xFF) for shift in (24, 16, 8, 0))
        raise ParseError(
            f"unsupported HWP version {dotted}: only HWP 5.x is supported; "
            "open it in Hancom Office and save it as HWP (5.0) or HWPX"
        )
    if flags & _FLAG_PASSWORD:
        raise ParseError(
            "password-protected HWP file: remove the password in Hancom Office "
            "(or save an unprotected copy) and add that file"
        )
    if flags & _FLAG_DRM:
        raise ParseError(
            "DRM/certificate-protected HWP file: its text is encrypted; "
            "save an unprotected copy in Hancom Office and add that file"
        )
    return flags


def _section_streams(ole: olefile.OleFileIO, storage: str) -> list[str]:
    """``Storage/SectionN`` stream names in numeric order (Section10 after Section9)."""
    found: list[tuple[int, str]] = []
    for entry in ole.listdir(streams=True, storages=False):
        if len(entry) == 2 and entry[0] == storage:
            match = _SECTION_STREAM.fullmatch(entry[1])
            if match:
                found.append((int(match.group(1)), "/".join(entry)))
    if not found:
        raise ParseError(f"damaged HWP file: it has no {storage}/Section streams")
    return [name for _, name in sorted(found)]


def _inflate(raw: bytes, limit: int) -> bytes:
    """Raw-deflate decompress, refusing truncated data and decompression bombs.

    Never more than ``limit`` bytes, nor more than MAX_RATIO times the stream's
    size beyond RATIO_FLOOR_BYTES (a body inflating 1000:1 is a bomb, not text)."""
    by_ratio = max(RATIO_FLOOR_BYTES, MAX_RATIO * len(raw))
    inflater = zlib.decompressobj(-15)
    try:
        data = inflater.decompress(raw, min(limit, by_ratio) + 1)
    except zlib.error as exc:
        raise ParseError(
            f"damaged HWP file: a compressed body stream is corrupt (bad deflate data: {exc})"
        ) from exc
    if len(data) > limit:
        raise ParseError(
            "refusing HWP file: its body inflates to more than 200 MB (likely a decompression bomb)"
        )
    if len(data) > by_ratio:
        raise ParseError(
            f"refusing HWP file: a body stream of {len(raw) >> 10} kB inflates to more than "
            f"{by_ratio >> 20} MB, over {MAX_RATIO}:1 (likely a decompression bomb)"
        )
    if not inflater.eof:
        raise ParseError("damaged HWP file: a compressed body stream is cut short (truncated)")
    return data


def _decrypt_distribution(raw: bytes) -> bytes:
    """Decrypt a ViewText/SectionN stream of a distribution document.

    The stream starts with a DISTRIBUTE_DOC_DATA record of 256 bytes; the rest is
    the (possibly compressed) record stream, AES-128-ECB encrypted.
    """
    head_size = 4 + _DIST_RECORD_SIZE
    if len(raw) < head_size:
        raise ParseError(f"{_DAMAGED_DIST}: a ViewText stream is truncated")
    (header,) = struct.unpack_from("<I", raw)
    if header & 0x3FF != records.TAG_DISTRIBUTE_DOC_DATA or header >> 20 != _DIST_RECORD_SIZE:
        raise ParseError(f"{_DAMAGED_DIST}: its decryption record is missing")
    body = raw[head_size:]
    if len(body) % _AES_BLOCK:
        raise ParseError(f"{_DAMAGED_DIST}: an encrypted stream is truncated")
    try:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    except ImportError as exc:
        raise ParseError(
            f"{DISTRIBUTION_REASON} (or install the 'cryptography' package to read it)"
        ) from exc
    key = _distribution_key(raw[4:head_size])
    decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()  # noqa: S305 - the format's
    return decryptor.update(body) + decryptor.finalize()


def _distribution_key(record: bytes) -> bytes:
    """Unscramble the DISTRIBUTE_DOC_DATA record and take the AES key from it.

    The first 4 bytes seed MSVC's rand(); the rest is XORed with a byte from rand()
    repeated a rand()-chosen 1..16 times. The key is 16 bytes at 4 + (seed & 0xF).
    """
    data = bytearray(record)
    seed = state = int.from_bytes(data[:4], "little")

    def msvc_rand() -> int:
        nonlocal state
        state = (state * 214013 + 2531011) & 0xFFFFFFFF
        return (state >> 16) & 0x7FFF

    key_byte, remaining = 0, 0
    for i in range(len(data)):
        if remaining == 0:
            key_byte = msvc_rand() & 0xFF
            remaining = (msvc_rand() & 0xF) + 1
        if i >= 4:
            data[i] ^= key_byte
        remaining -= 1
    offset = 4 + (seed & 0xF)
    return bytes(data[offset : offset + 16])


def _summary_title(ole: olefile.OleFileIO) -> str:
    """Title from the HwpSummaryInformation property set, or "" if absent/unreadable."""
    if not ole.exists(_SUMMARY_STREAM):
        return ""
    try:
        value = ole.getproperties(_SUMMARY_STREAM).get(_PID_TITLE)
    except (*_OLE_ERRORS, UnicodeDecodeError) as exc:
        logger.debug("unreadable HwpSummaryInformation: %s", exc)
        return ""
    if not isinstance(value, str):
        return ""
    # olefile misjudges the length of HWP's wide strings and runs on into the next
    # properties; the real value ends at the first NUL.
    return records.metadata_title(value.split("\x00", 1)[0])
