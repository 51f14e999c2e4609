"""One normaliser for identifiers, shared by PII detection, ``privacy find`` and erasure.

People write the same number many ways: "010-1234-5678", "010 - 1234 - 5678",
"０１０－１２３４－５６７８" (full-width, typed by some Korean IMEs), "010–1234–5678"
(an en dash from a word processor), "010.1234.5678", "010/1234/5678", with a zero-width
space pasted from the web. Detection, find, erase and the probe after erasure must see
them all the same way, or erasure certifies clean what detection would still flag.

``fold`` maps one character to one character, so offsets into the folded text are
offsets into the original, and a redaction cuts the original characters:

* every decimal digit of any script (Unicode Nd: full-width, Arabic-Indic, mathematical …)
  becomes its ASCII digit;
* characters whose NFKC form is a single ASCII character become it ("＠" → "@",
  "Ａ" → "A", "①" → "1", "﹣" → "-");
* every dash (Unicode Pd, the minus sign) becomes "-";
* every space separator (Zs) and every invisible format character (Cf: zero-width
  space, word joiner, soft hyphen, bidirectional marks) becomes " ".

Full NFKC is not used because it expands characters such as "㈜" into several,
which would shift every later offset.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Between the digits of a number: what people put there ("010 - 1234", "010.1234",
# "(02) 123-4567", "010/1234/5678", "010·1234"), after folding.
SEPARATOR_CLASS = r"[\s\-./·・()_,]"
# Characters outside ASCII and the Hangul syllables: only texts holding one need folding
# (searching for these is ~50x faster than translating every text).
_MAYBE_FOLDED = re.compile("[^\x00-\x7f\uac00-\ud7a3]")
_LAST_FOLDED_PLANE = 0x20000  # every Nd digit and compatibility form lies below this


@cache
def _table() -> dict[int, str]:
    """The folding table, built once on first use (~50 ms)."""
    table: dict[int, str] = {0x2212: "-"}  # the minus sign is Sm, not Pd
    for code in range(0x80, _LAST_FOLDED_PLANE):
        char = chr(code)
        category = unicodedata.category(char)
        if category in ("Cs", "Co", "Cn"):
            continue
        digit = unicodedata.decimal(char, None)
        if digit is not None:
            table[code] = str(digit)
        elif category == "Pd":
            table[code] = "-"
        elif category in ("Zs", "Cf"):
            table[code] = " "
        else:
            compatible = unicodedata.normalize("NFKC", char)
            if len(compatible) == 1 and compatible != char and compatible.isascii():
                table[code] = compatible
    return table


def fold(text: str) -> str:
    """``text`` with identifier look-alikes folded to ASCII, one character for one."""
    if text.isascii() or not _MAYBE_FOLDED.search(text):
        return text
    return text.translate(_table())


def fold_nfc(text: str) -> str:
    """For matching without offsets (logs, exports, file contents): composed first, so a
    decomposed (NFD) name matches too."""
    return fold(unicodedata.normalize("NFC", text))


def ascii_digits(text: str) -> str:
    """The digits of ``text`` in any script, as ASCII."""
    return "".join(ch for ch in fold(text) if "0" <= ch <= "9")
