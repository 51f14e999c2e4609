"""HWP sections cut at numbered headings, with paragraph numbers and heading paths."""

from jisik.ingest.parsers._hwp_outline import MIN_PART_CHARS, outline_sections

FILLER = "본문 내용이 여기에 이어집니다. " * (MIN_PART_CHARS // 10)


def test_cut_at_headings_with_paths_and_paragraph_numbers():
    lines = [
        "Ⅰ. 사업 개요",
        FILLER,
        "1. 추진 배경",
        FILLER,
        "제3조(정의) 이 규정에서 쓰는 말의 뜻은 다음과 같다.",
        FILLER,
        "Ⅱ. 과업 내용",
        FILLER,
    ]
    parts = outline_sections(lines, 2)
    assert [p.location for p in parts] == [
        "section 2 · ¶ 1 · Ⅰ. 사업 개요",
        "section 2 · ¶ 3 · Ⅰ. 사업 개요 › 1. 추진 배경",
        "section 2 · ¶ 5 · Ⅰ. 사업 개요 › 1. 추진 배경 › 제3조(정의)",
        "section 2 · ¶ 7 · Ⅱ. 과업 내용",
    ]
    assert [p.heading for p in parts] == ["Ⅰ. 사업 개요", "1. 추진 배경", "제3조(정의)", "Ⅱ. 과업 내용"]
    assert "\n".join(p.text for p in parts) == "\n".join(lines)


def test_no_headings_or_short_parts_keep_one_section():
    assert [p.location for p in outline_sections(["첫 줄", "둘째 줄"], 1)] == ["section 1"]
    short = ["1. 개요", "짧다.", "2. 내용", "짧다."]
    assert [p.location for p in outline_sections(short, 1)] == ["section 1"]


def test_long_numbered_sentences_and_table_rows_are_not_headings():
    lines = [
        FILLER,
        "1. 이 사업은 지역 주민의 문화 향유 기회를 넓히기 위하여 올해 처음으로 추진하는 것이다.",
        FILLER,
        "1. 구분 | 금액",
        FILLER,
    ]
    assert [p.location for p in outline_sections(lines, 1)] == ["section 1"]
