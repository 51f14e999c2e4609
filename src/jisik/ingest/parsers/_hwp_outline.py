"""Headings inside an HWP/HWPX section, so that citations say where they are.

An HWP body section (구역) is usually the whole document: "section 1" points at
twenty pages. Public and internal documents number their headings in a few
conventional ways (Ⅰ., 1., 가., 제3장, 제2조(정의)), so a section is cut where such
a heading begins, and each part's location names the section, the paragraph it
starts at and the heading path: ``section 1 · ¶ 14 · Ⅱ. 사업 내용 › 2. 과업 범위``.
"""

from __future__ import annotations

import re

from jisik.types import Section

# (level, pattern of a heading line's beginning); the label is the matched part for
# articles, whose body often follows on the same line, else the whole line.
_HEADINGS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(r"^\s*제\s*\d+\s*[편장](?=\s|$)\s*\S*")),
    (1, re.compile(r"^\s*[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+\s*[.．]\s*\S")),
    (1, re.compile(r"^\s*(?:I|II|III|IV|V|VI|VII|VIII|IX|X)\.\s+\S")),
    (2, re.compile(r"^\s*제\s*\d+\s*절(?=\s|$)")),
    (2, re.compile(r"^\s*\d{1,2}\.\s*[가-힣A-Za-z「『]")),
    (3, re.compile(r"^\s*제\s*\d+\s*조(?:의\s*\d+)?\s*\([^)]{1,30}\)")),
    (3, re.compile(r"^\s*\d{1,2}\)\s*[가-힣A-Za-z]")),
)
_ARTICLE_LEVEL = 3
MAX_HEADING_CHARS = 40  # a longer numbered line is a list item, not a heading
MIN_PART_CHARS = 300  # a heading this soon after the last cut does not cut again
MAX_PATH_CHARS = 80


def _heading(line: str) -> tuple[int, str] | None:
    for level, pattern in _HEADINGS:
        match = pattern.match(line)
        if not match:
            continue
        if level == _ARTICLE_LEVEL and line.lstrip().startswith("제"):
            return level, " ".join(match.group().split())
        label = " ".join(line.split())
        if len(label) <= MAX_HEADING_CHARS and " | " not in line and not label.endswith("다."):
            return level, label
    return None


def outline_sections(lines: list[str], number: int) -> list[Section]:
    """The section's lines as parts cut at headings (one part when it has none)."""
    parts: list[tuple[int, list[str], list[str]]] = []  # (first line no., path, lines)
    path: dict[int, str] = {}
    current: list[str] = []
    part_path: list[str] = []
    first, size = 1, 0
    for line_no, line in enumerate(lines, start=1):
        found = _heading(line)
        if found is not None:
            level, label = found
            path = {lv: text for lv, text in path.items() if lv < level}
            path[level] = label
            if current and size >= MIN_PART_CHARS:
                parts.append((first, part_path, current))
                current, first, size = [], line_no, 0
            if not current:
                part_path = [path[lv] for lv in sorted(path)]
        current.append(line)
        size += len(line) + 1
    if current:
        parts.append((first, part_path, current))
    if len(parts) <= 1:
        return [Section(text="\n".join(lines), location=f"section {number}")]
    out = []
    for first_line, heading_path, part in parts:
        location = f"section {number} · ¶ {first_line}"
        if heading_path:
            location += f" · {_shorten(' › '.join(heading_path))}"
        heading = heading_path[-1] if heading_path else ""
        out.append(Section(text="\n".join(part), location=location, heading=heading))
    return out


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_PATH_CHARS else text[: MAX_PATH_CHARS - 1] + "…"
