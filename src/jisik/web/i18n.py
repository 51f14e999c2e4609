"""Message catalogues: every string a person reads on a page, Korean first.

The language is the ``jisik_lang`` cookie's (set by the switch in the header), else
Korean. A key missing from a catalogue is a bug the tests catch (both catalogues must
hold the same keys), never a blank on the page.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

LANGUAGES = ("ko", "en")
DEFAULT_LANGUAGE = "ko"
LANGUAGE_COOKIE = "jisik_lang"


@cache
def catalogue(language: str) -> dict[str, str]:
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    text = files("jisik.web").joinpath("messages", f"{language}.json").read_text("utf-8")
    return json.loads(text)


def language_of(cookie: str | None) -> str:
    return cookie if cookie in LANGUAGES else DEFAULT_LANGUAGE


def other_language(language: str) -> str:
    return "en" if language == "ko" else "ko"


def translate(language: str, key: str, **values: object) -> str:
    text = catalogue(language)[key]
    return text.format(**values) if values else text
