"""A data subject's identifiers, and finding them in any text however they are written.

Every text is first folded by ``jisik.privacy.normal.fold`` (the same normaliser PII
detection uses): full-width and other-script digits, Unicode dashes, odd spaces and
invisible characters all look like their plain forms. Then:

* numbers (phones, resident and other registration numbers, cards, accounts …) match
  by their digits with any separators between them ("010-1234-5678",
  "010 - 1234 - 5678", "010/1234/5678", "01012345678", "+82 10-1234-5678");
* e-mail addresses match case-insensitively, spaces around the "@" allowed;
* names match case-insensitively with any run of spaces between their words, and a
  Korean name of three or more syllables also letter-spaced ("홍 길 동") or with its
  surname apart ("홍 길동");
* free-form values (``value``, command line only) match literally after folding.

Each kind has a minimum strength, so that a request can never turn into a search for
an ordinary word ("보고서") or a fragment of a number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from jisik.errors import InvalidInputError
from jisik.privacy.normal import SEPARATOR_CLASS, ascii_digits, fold, fold_nfc

# kind -> (fewest digits, most digits)
NUMBER_KINDS: dict[str, tuple[int, int]] = {
    "phone": (9, 12),
    "rrn": (13, 13),
    "frn": (13, 13),
    "card": (13, 19),
    "account": (8, 16),
    "passport": (7, 9),
    "driver_license": (12, 12),
    "health_insurance": (11, 11),
    "business_reg": (10, 10),
    "corp_reg": (13, 13),
}
# What an API caller may search for: typed identifiers only (no free-form words).
TYPED_KINDS = ("name", "email", *NUMBER_KINDS)
KINDS = (*TYPED_KINDS, "value")
MIN_NAME_LETTERS = 2
MAX_VALUE_CHARS = 200
MIN_VALUE_CHARS = 4

# Up to four separator characters between two digits: "010 - 1234", "(02) 123".
_GAP = SEPARATOR_CLASS + "{0,4}"
_BEFORE_NUMBER = r"(?<![0-9])"
_AFTER_NUMBER = r"(?![0-9])"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HANGUL_SYLLABLE = re.compile("^[\uac00-\ud7a3]+$")


@dataclass(frozen=True, slots=True)
class Identifier:
    kind: str  # one of KINDS
    value: str  # as given, NFC, stripped

    @property
    def normal(self) -> str:
        """The canonical form that receipts hash: digits for numbers (a phone in its
        national form), folded lower case for the rest."""
        if self.kind in NUMBER_KINDS:
            return _national(self.kind, ascii_digits(self.value))
        folded = _collapse(fold(self.value)).lower()
        if self.kind == "name" and _HANGUL_SYLLABLE.match(folded.replace(" ", "")):
            # A Korean name is one word however it is spaced ("홍 길동" is 홍길동): one
            # canonical form, so that every spacing is found and receipts agree.
            return folded.replace(" ", "")
        return folded

    def pattern(self) -> re.Pattern[str]:
        """The regular expression that finds this identifier in a folded text."""
        if self.kind in NUMBER_KINDS:
            digits = self.normal
            alternatives = [_GAP.join(digits)]
            if self.kind == "phone" and digits.startswith("0"):
                # +82 10-1234-5678 and 0082 (0)10 … are 010-1234-5678 written internationally.
                alternatives.append(
                    r"(?:\+|00)?82" + _GAP + r"(?:\(0\)" + _GAP + ")?" + _GAP.join(digits[1:])
                )
            return re.compile(_BEFORE_NUMBER + "(?:" + "|".join(alternatives) + ")" + _AFTER_NUMBER)
        text = self.normal
        if self.kind == "email":
            local, _, domain = text.partition("@")
            return re.compile(re.escape(local) + r"\s?@\s?" + re.escape(domain), re.IGNORECASE)
        if self.kind == "name":
            return re.compile("|".join(_name_forms(text)), re.IGNORECASE)
        return re.compile(r"\s+".join(re.escape(w) for w in text.split(" ")), re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Subject:
    identifiers: tuple[Identifier, ...]
    # Compiled once: a subject is matched against every stored text and log line.
    patterns: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "patterns", tuple(i.pattern() for i in self.identifiers))

    @classmethod
    def of(cls, typed_only: bool = False, **values: list[str] | tuple[str, ...] | None) -> Subject:
        """A subject from identifiers by kind; ``typed_only`` refuses free-form values
        (API callers may only look for a person, not for arbitrary words)."""
        allowed = TYPED_KINDS if typed_only else KINDS
        found = []
        for kind, given in values.items():
            if kind not in allowed:
                raise InvalidInputError(
                    f"unknown identifier kind {kind!r}; use {', '.join(allowed)}"
                )
            for value in given or ():
                value = unicodedata.normalize("NFC", str(value)).strip()
                found.append(Identifier(kind, _checked(kind, value)))
        if not found:
            raise InvalidInputError(
                "give at least one identifier: --name, --email, --phone, --rrn or another kind "
                f"({', '.join(allowed)})"
            )
        return cls(tuple(dict.fromkeys(found)))

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Every occurrence of any identifier in ``text`` (NFC, as stored), merged where
        they overlap; offsets are into ``text`` itself."""
        folded = fold(text)
        spans = sorted((m.start(), m.end()) for p in self.patterns for m in p.finditer(folded))
        merged: list[tuple[int, int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def occurs_in(self, text: str) -> bool:
        """Whether any identifier appears in ``text`` however it is written."""
        folded = fold_nfc(text)
        return any(p.search(folded) for p in self.patterns)

    def count_in(self, text: str) -> int:
        folded = fold_nfc(text)
        return sum(1 for p in self.patterns for _ in p.finditer(folded))

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

    def as_json(self) -> list[dict]:
        """The identifiers as given (for a child process; never stored)."""
        return [{"kind": i.kind, "value": i.value} for i in self.identifiers]

    @classmethod
    def from_json(cls, items: list[dict]) -> Subject:
        return cls(tuple(Identifier(str(i["kind"]), str(i["value"])) for i in items))


def _checked(kind: str, value: str) -> str:
    """``value`` if it is a strong enough identifier of its kind, else say why not."""
    if len(value) > MAX_VALUE_CHARS:
        raise InvalidInputError(f"{kind} is over {MAX_VALUE_CHARS} characters")
    if kind in NUMBER_KINDS:
        digits = _national(kind, ascii_digits(value))
        fewest, most = NUMBER_KINDS[kind]
        if not fewest <= len(digits) <= most:
            raise InvalidInputError(
                f"{kind} {value!r} has {len(digits)} digits; a {kind} has "
                + (f"{fewest}" if fewest == most else f"{fewest} to {most}")
                + " (fewer than 6 digits would match too much)"
            )
        if kind == "phone" and not digits.startswith("0"):
            raise InvalidInputError(
                f"phone {value!r} is not a Korean number (0… or +82 …); give it in full"
            )
        return value
    folded = _collapse(fold(value))
    if kind == "email":
        if not _EMAIL.match(folded):
            raise InvalidInputError(f"email {value!r} is not an e-mail address (name@domain.tld)")
        return value
    if kind == "name":
        letters = sum(1 for ch in folded if ch.isalpha())
        if letters < MIN_NAME_LETTERS or any(not (ch.isalpha() or ch in " .-'") for ch in folded):
            raise InvalidInputError(
                f"name {value!r} must be at least {MIN_NAME_LETTERS} letters, with only "
                "letters, spaces, '.', '-' or \"'\""
            )
        return value
    if len(folded) < MIN_VALUE_CHARS:
        raise InvalidInputError(
            f"value {value!r} is shorter than {MIN_VALUE_CHARS} characters; it would match too much"
        )
    return value


def _national(kind: str, digits: str) -> str:
    """A phone number in its national form: 82 10… (country code) becomes 010…."""
    if kind == "phone" and digits.startswith("82") and not digits.startswith("0"):
        return "0" + digits[2:]
    return digits


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _name_forms(name: str) -> list[str]:
    """Regular expressions for the ways a (folded, lower-case) name is written."""
    words = name.split(" ")
    forms = [r"\s+".join(re.escape(w) for w in words)]
    if len(words) == 1 and _HANGUL_SYLLABLE.match(name) and len(name) >= 3:
        forms.append(r"\s{1,2}".join(re.escape(ch) for ch in name))  # 홍 길 동
        forms.append(re.escape(name[0]) + r"\s{1,2}" + re.escape(name[1:]))  # 홍 길동
    return forms
