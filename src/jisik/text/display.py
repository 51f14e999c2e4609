"""Characters that change how a name or title looks without being part of it.

A bidirectional override (U+202E) makes ``exe.txt`` read as ``txt.exe``; other
format and control characters hide text, split words invisibly or move the
cursor in a terminal. Upload names with any of them are refused (the uploader can
rename the file); titles, headings and locations taken from inside documents are
neutralised instead, since the document itself is fine.

Zero-width joiner and non-joiner stay when they sit between two letters: emoji
sequences and some scripts need them there. Everywhere else they are invisible
noise and go too.
"""

from __future__ import annotations

import unicodedata

# Bidirectional embeddings, overrides and isolates (all in category Cf).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_JOINERS = frozenset("\u200c\u200d")
# Line and paragraph separators break a one-line title like a newline does.
_SEPARATORS = frozenset(("Zl", "Zp"))


def is_hidden(text: str, index: int) -> bool:
    """True when ``text[index]`` is a control, format, surrogate or separator
    character that should not be in a name or title."""
    char = text[index]
    category = unicodedata.category(char)
    if char in _JOINERS:
        inside = 0 < index < len(text) - 1
        return not (inside and _letter_like(text[index - 1]) and _letter_like(text[index + 1]))
    return category in ("Cc", "Cf", "Cs") or category in _SEPARATORS


def _letter_like(char: str) -> bool:
    # what a joiner joins: letters, digits, combining marks, symbols (emoji)
    return char.isalnum() or unicodedata.category(char)[0] in "MS"


def hidden_characters(text: str) -> list[str]:
    """The offending characters of ``text`` as U+XXXX names, in order, once each."""
    seen: dict[str, None] = {}
    for index, char in enumerate(text):
        if is_hidden(text, index):
            seen.setdefault(f"U+{ord(char):04X}", None)
    return list(seen)


def neutralise(text: str) -> str:
    """``text`` safe to show on one line: format characters dropped, controls and
    separators turned into spaces (so the words they separated stay apart).
    Text without any of them comes back unchanged."""
    out = []
    for index, char in enumerate(text):
        if not is_hidden(text, index):
            out.append(char)
        elif unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            out.append(" ")
    return "".join(out)
