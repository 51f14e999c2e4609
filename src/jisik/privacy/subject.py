"""A data subject's identifiers, and finding them in any text however they are written.

Names, e-mail addresses and free-form values are matched literally (e-mail
case-insensitively); numbers (phones, resident and other registration numbers,
cards, accounts …) are matched by their digits with any separators between
them ("010-1234-5678", "010 1234 5678", "01012345678", "+82 10-1234-5678").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from jisik.errors import InvalidInputError

NUMBER_KINDS = (
    "phone",
    "rrn",
    "frn",
    "card",
    "account",
    "passport",
    "driver_license",
    "health_insurance",
    "business_reg",
    "corp_reg",
)
KINDS = ("name", "email", "value", *NUMBER_KINDS)
_SEPARATORS = r"[\s\-.·()]{0,2}"
_LOOSE_EDGE_BEFORE = r"(?<![0-9])"
_LOOSE_EDGE_AFTER = r"(?![0-9])"


@dataclass(frozen=True, slots=True)
class Identifier:
    kind: str  # one of KINDS
    value: str  # as given, NFC

    @property
    def normal(self) -> str:
        """The canonical form that receipts hash."""
        if self.kind in NUMBER_KINDS:
            return _digits(self.value)
        if self.kind == "email":
            return self.value.lower()
        return self.value

    def pattern(self) -> re.Pattern[str]:
        if self.kind in NUMBER_KINDS:
            digits = _digits(self.value)
            alternatives = [_SEPARATORS.join(digits)]
            if self.kind == "phone" and digits.startswith("0"):
                # +82 10-1234-5678 is 010-1234-5678 written internationally.
                alternatives.append(r"\+?82" + _SEPARATORS + _SEPARATORS.join(digits[1:]))
            return re.compile(
                _LOOSE_EDGE_BEFORE + "(?:" + "|".join(alternatives) + ")" + _LOOSE_EDGE_AFTER
            )
        flags = re.IGNORECASE if self.kind == "email" else 0
        return re.compile(re.escape(self.value), flags)

    def probe(self) -> str:
        """A literal every occurrence contains, for a cheap SQL LIKE before the regex."""
        if self.kind in NUMBER_KINDS:
            return _digits(self.value)[-4:]
        return self.value


@dataclass(frozen=True, slots=True)
class Subject:
    identifiers: tuple[Identifier, ...]
    # Compiled once: a subject is matched against every stored text and log line.
    patterns: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "patterns", tuple(i.pattern() for i in self.identifiers))

    @classmethod
    def of(cls, **values: list[str] | tuple[str, ...] | None) -> Subject:
        found = []
        for kind, given in values.items():
            if kind not in KINDS:
                raise InvalidInputError(f"unknown identifier kind {kind!r}; use {', '.join(KINDS)}")
            for value in given or ():
                value = unicodedata.normalize("NFC", value).strip()
                if kind in NUMBER_KINDS and len(_digits(value)) < 6:
                    raise InvalidInputError(
                        f"{kind} {value!r} has fewer than 6 digits; it would match too much"
                    )
                if kind not in NUMBER_KINDS and len(value) < 2:
                    raise InvalidInputError(f"{kind} {value!r} is too short to search for")
                found.append(Identifier(kind, value))
        if not found:
            raise InvalidInputError(
                "give at least one identifier: --name, --email, --phone, --rrn or --value"
            )
        return cls(tuple(found))

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Every occurrence of any identifier in ``text``, merged where they overlap."""
        spans = sorted((m.start(), m.end()) for p in self.patterns for m in p.finditer(text))
        merged: list[tuple[int, int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def occurs_in(self, text: str) -> bool:
        return any(p.search(text) for p in self.patterns)

    def redact(self, text: str, replacement: str) -> tuple[str, int]:
        spans = self.spans(text)
        if not spans:
            return text, 0
        pieces, last = [], 0
        for start, end in spans:
            pieces += [text[last:start], replacement]
            last = end
        pieces.append(text[last:])
        return "".join(pieces), len(spans)


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit() and ch.isascii())
