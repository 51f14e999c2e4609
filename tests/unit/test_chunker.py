from hypothesis import given, settings
from hypothesis import strategies as st

from jisik.ingest.chunker import ChunkingConfig, assemble, chunk_document
from jisik.text.analyzer import Analyzer
from jisik.types import Section

ANALYZER = Analyzer()

korean_words = st.sampled_from(
    ["연차", "휴가는", "입사", "첫해에", "15일", "부여됩니다.", "VPN", "접속", "규정", "|", "12,000원",
     "비밀번호를", "변경합니다?", "보안", "!", "Running", "tests.", "人工知能", "😀"]
)
line = st.lists(korean_words, min_size=0, max_size=40).map(" ".join)
section_text = st.lists(line, min_size=1, max_size=12).map("\n".join)
sections = st.lists(
    st.tuples(section_text, st.sampled_from(["p. 1", "slide 2", "sheet 급여", "본문"])),
    min_size=1,
    max_size=5,
)


@settings(max_examples=60, deadline=None)
@given(sections, st.integers(min_value=50, max_value=400), st.integers(min_value=0, max_value=2))
def test_chunk_spans_reproduce_the_stored_text(parts, target, overlap):
    config = ChunkingConfig(target_chars=target, max_chars=target * 2, overlap_sentences=overlap)
    secs = [Section(text, location) for text, location in parts]
    doc = chunk_document(secs, ANALYZER, config)
    text, spans = assemble(secs)
    assert doc.text == text
    for chunk in doc.chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert chunk.text.strip()
        assert chunk.end - chunk.start <= config.max_chars
        containing = [s for s in spans if s.start <= chunk.start and chunk.end <= s.end]
        assert containing and containing[0].location == chunk.location
    assert [c.ordinal for c in doc.chunks] == list(range(len(doc.chunks)))
    # every non-blank line of the text is covered by some chunk
    covered = set()
    for chunk in doc.chunks:
        covered.update(range(chunk.start, chunk.end))
    for i, ch in enumerate(text):
        if not ch.isspace() and ch != "\n":
            assert i in covered


def test_chunks_pack_sentences_to_the_target_with_overlap():
    sentence = "연차휴가는 입사 후 일 년이 지나면 열닷새가 부여됩니다. "
    text = sentence * 40
    doc = chunk_document([Section(text.strip(), "본문")], ANALYZER, ChunkingConfig(200, 400, 1))
    assert len(doc.chunks) > 3
    for first, second in zip(doc.chunks, doc.chunks[1:]):
        assert second.start < first.end  # one sentence of overlap
    assert doc.chunks[-1].end == len(text.strip())


def test_a_huge_sentence_is_cut_at_spaces():
    text = " ".join(["가나다라마바사"] * 400)
    doc = chunk_document([Section(text, "본문")], ANALYZER, ChunkingConfig(300, 600, 0))
    assert all(len(c.text) <= 600 for c in doc.chunks)
    assert "".join(c.text for c in doc.chunks).replace(" ", "") == text.replace(" ", "")
