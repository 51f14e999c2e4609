"""Hostile names and titles (issue 9, defect 13): upload names with bidi overrides,
format or control characters are refused; titles, headings and locations from
inside documents are neutralised for display."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from jisik.ingest.chunker import ChunkingConfig
from jisik.ingest.prepare import file_facts, prepare, prepare_text
from jisik.server.problems import Problem
from jisik.server.uploads import clean_name
from jisik.text.analyzer import shared_analyzer
from jisik.text.display import BIDI_CONTROLS, hidden_characters, is_hidden, neutralise
from tests.hostile import files

HOSTILE = sorted(BIDI_CONTROLS) + [
    "\x00",
    "\x1b",
    "\x7f",
    "\u200b",
    "\u200e",
    "\u2028",
    "\ufeff",
    "\U000e0041",
    "\u00ad",
]
# Letters, digits, Hangul, emoji with joiners, spaces and punctuation people use in names.
FRIENDLY = st.text(
    alphabet=st.characters(
        categories=("Lu", "Ll", "Lo", "Nd", "Zs", "Pd", "Po", "Mn", "So"),
        exclude_characters="/\\",
    ),
    max_size=40,
)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60))
def test_neutralised_text_has_nothing_hidden_and_is_stable(text):
    shown = neutralise(text)
    assert hidden_characters(shown) == []
    assert neutralise(shown) == shown
    assert not any(c in shown for c in BIDI_CONTROLS)


@settings(max_examples=300, deadline=None)
@given(FRIENDLY)
def test_text_without_hidden_characters_is_unchanged(text):
    assume(not hidden_characters(text))
    assert neutralise(text) == text


@settings(max_examples=300, deadline=None)
@given(FRIENDLY, st.sampled_from(HOSTILE), FRIENDLY)
def test_an_upload_name_with_a_hidden_character_is_refused_naming_it(head, bad, tail):
    name = f"a{head}{bad}{tail}b.txt"  # inside the name: edges are stripped
    with pytest.raises(Problem) as caught:
        clean_name(name)
    assert caught.value.status == 422
    assert f"U+{ord(bad):04X}" in caught.value.detail
    assert bad not in caught.value.detail  # the message itself shows nothing hidden


@settings(max_examples=300, deadline=None)
@given(
    st.lists(FRIENDLY.filter(lambda p: p.strip() not in ("", ".", "..")), min_size=1, max_size=3)
)
def test_friendly_upload_names_pass(parts):
    name = unicodedata.normalize("NFC", "/".join(p.strip() for p in parts) + ".md")
    assume(not hidden_characters(name) and len(name) <= 255)
    assume(all(len(p.encode()) <= 255 for p in name.split("/")))
    assert clean_name(name) == name


def test_joiners_stay_inside_words_and_go_elsewhere():
    family = "가족 👨\u200d👩\u200d👧"
    assert neutralise(family) == family
    assert neutralise("\u200d앞") == "앞" and neutralise("뒤\u200c") == "뒤"
    assert is_hidden("a\u200db", 1) is False and is_hidden("a\u200d", 1) is True


def test_the_classic_extension_spoof_and_a_too_long_part_are_refused():
    with pytest.raises(Problem, match="direction-changing characters \\(U\\+202E\\)"):
        clean_name("report\u202etxt.exe")
    with pytest.raises(Problem, match="over 255 bytes"):
        clean_name("가" * 100 + ".md")  # 100 characters, 303 bytes
    with pytest.raises(Problem, match="over 255 characters"):
        clean_name("/".join(["a" * 100] * 3))
    assert clean_name("../../etc/passwd") == "etc/passwd"


def test_titles_headings_and_locations_from_files_are_neutralised(tmp_path: Path):
    analyzer, chunking = shared_analyzer(), ChunkingConfig()
    text = tmp_path / "spoof.txt"
    text.write_text("급여\u202e규정 txt.exe\n본문입니다.\n", encoding="utf-8")
    prepared = prepare(text, file_facts(text, 10**6), analyzer, chunking)
    assert prepared.title == "급여규정 txt.exe"
    md = tmp_path / "head.md"
    md.write_text("# 제목\u2066숨김\u2069\n\n## 소제목\x1b[31m\n본문\n", encoding="utf-8")
    prepared = prepare(md, file_facts(md, 10**6), analyzer, chunking)
    assert prepared.title == "제목숨김"
    assert {s.heading for s in prepared.sections} == {"소제목 [31m"}
    assert all(not hidden_characters(s.location) for s in prepared.sections)
    docx = files.office("docx", tmp_path / "meta.docx", title="보고서\u202egpj.exe")
    assert prepare(docx, file_facts(docx, 10**7), analyzer, chunking).title == "보고서gpj.exe"
    given = prepare_text("api:1", "제목\u202e", "본문입니다.", analyzer, chunking)
    assert given.title == "제목"


def test_a_file_named_with_a_bidi_override_gets_a_clean_fallback_title(tmp_path: Path):
    path = tmp_path / "표\u202eadm.csv"
    path.write_text("항목,값\n식대,12000\n", encoding="utf-8")
    assert (
        prepare(path, file_facts(path, 10**6), shared_analyzer(), ChunkingConfig()).title == "표adm"
    )
