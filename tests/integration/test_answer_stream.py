"""The answer seam streams: ``Answerer.stream`` is the primitive, ``answer`` its end."""

from __future__ import annotations

import pytest

from jisik.answer.events import (
    CitationsEvent,
    DeltaEvent,
    FinalEvent,
    events_of,
    final_answer,
    sentence_pieces,
)
from jisik.answer.registry import answerer_names, make_answerer
from jisik.errors import ConfigError, JisikError
from jisik.service import Jisik
from jisik.settings import load_settings
from tests.conftest import write_handbook


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = tmp_path_factory.mktemp("stream")
    with Jisik(load_settings(root / "home", embedder="hashing")) as jisik:
        jisik.add([write_handbook(root / "handbook")])
        yield jisik


def test_stream_cites_then_deltas_then_the_answer_itself(service):
    question = "신입사원 연차는 며칠인가요?"
    hits = service.pipeline.hits(question, 5, None, None, True)
    events = list(service.answerer.stream(question, hits))
    assert isinstance(events[0], CitationsEvent)
    assert isinstance(events[-1], FinalEvent)
    final = events[-1].answer
    assert not final.abstained and final.citations
    assert events[0].citations == final.citations
    assert "".join(e.text for e in events if isinstance(e, DeltaEvent)) == final.text
    assert service.answerer.answer(question, hits) == final


def test_an_abstention_streams_its_message_without_citations(service):
    events = list(service.answerer.stream("화성 탐사선의 연료는?", []))
    assert events[0] == CitationsEvent(())
    assert final_answer(events).abstained


def test_a_stream_without_a_final_event_is_an_error():
    with pytest.raises(JisikError, match="without an answer"):
        final_answer([CitationsEvent(()), DeltaEvent("부분")])


@pytest.mark.parametrize(
    "text", ["", "한 문장.", "첫째. 둘째? 셋째!\n넷째", "3.5% 인상. 끝", "줄\n\n바꿈\n"]
)
def test_sentence_pieces_join_back_exactly(text):
    assert "".join(sentence_pieces(text)) == text


def test_events_of_ends_with_the_answer_it_was_given(service):
    answer = service.ask("출장 숙박비 한도는?")
    assert final_answer(events_of(answer)) is answer


def test_the_registry_names_its_answerers_and_refuses_unknown_ones():
    assert "extractive" in answerer_names()
    with pytest.raises(ConfigError, match="unknown answerer 'oracle'.*extractive"):
        make_answerer("oracle", None)  # type: ignore[arg-type]
