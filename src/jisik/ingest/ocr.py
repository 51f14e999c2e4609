"""Optical character recognition for pages that are only a picture (extra ``jisik[ocr]``).

A scanned notice or a photographed form has no text layer; with the extra
(``pytesseract``) and Debian's ``tesseract-ocr`` and ``tesseract-ocr-kor``
installed, such pages are read by Tesseract in Korean and English. Without
them the file is refused with the reason and the fix, as before. Nothing is
downloaded: the language data come from the Debian packages.
"""

from __future__ import annotations

import io
import logging
import shutil
from collections.abc import Iterable

from jisik.errors import ParseError
from jisik.types import Section

log = logging.getLogger(__name__)

LANGUAGES = "kor+eng"
# Page segmentation 4 (one column of text of varying sizes): the automatic mode
# (3) was measured to shred a plain notice into single letters.
CONFIG = "--psm 4"
PAGE_TIMEOUT_S = 120  # one picture; the file as a whole has the worker's budget
MAX_PIXELS = 60_000_000  # a larger "picture" is a decompression bomb, not a scan
MIN_SIDE = 32  # icons and rules are not worth reading
MISSING = (
    "it holds only pictures (a scan?); install OCR to read it: pip install 'jisik[ocr]' and "
    "apt-get install tesseract-ocr tesseract-ocr-kor / 스캔 문서입니다: OCR을 설치하세요"
)


def available() -> bool:
    try:
        import pytesseract  # noqa: F401
    except ImportError:
        return False
    return shutil.which("tesseract") is not None


def read_pictures(pictures: Iterable[bytes]) -> list[str]:
    """The text of each picture (encoded image bytes), "" for one that has none."""
    import pytesseract
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    texts = []
    for data in pictures:
        try:
            with Image.open(io.BytesIO(data)) as image:
                if min(image.size) < MIN_SIDE:
                    texts.append("")
                    continue
                image.load()
                picture = image.convert("L")
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            log.warning("skipped a picture that cannot be decoded: %s", exc)
            texts.append("")
            continue
        try:
            text = pytesseract.image_to_string(
                picture, lang=LANGUAGES, config=CONFIG, timeout=PAGE_TIMEOUT_S
            )
        except RuntimeError as exc:  # pytesseract's timeout
            raise ParseError(f"OCR took longer than {PAGE_TIMEOUT_S} s on one picture") from exc
        except pytesseract.TesseractError as exc:
            raise ParseError(f"OCR failed: {exc}") from exc
        texts.append(_tidy(text))
    return texts


PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff")


def picture_sections(pictures: Iterable[bytes]) -> list[Section]:
    """Sections of a document that is only pictures (a scan saved as HWP): one per
    picture that has text, located by the picture's number."""
    return [
        Section(text=text, location=f"image {n} (OCR)")
        for n, text in enumerate(read_pictures(pictures), start=1)
        if text
    ]


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)
