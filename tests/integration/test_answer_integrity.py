"""Answers on their failure paths: near-threshold questions and forged citations.

The two questions were chosen by measuring the extractive answerer's best score on the
handbook (``ExtractiveAnswerer._candidates``; embedder "none" and "hashing" give the same
scores there): "숙박 규정은?" scores 0.534, just above the default threshold 0.5,
and "식대 규정은?" 0.458, just below it. Halving the threshold (0.25) answers the second;
doubling it (1.0) abstains on the first.
"""

from __future__ import annotations

import dataclasses

import pytest

from jisik.answer.citations import CitationError
from jisik.answer.events import events_of, final_answer
from jisik.service import Jisik
from jisik.settings import load_settings
from tests.conftest import write_handbook

ABOVE = "숙박 규정은?"  # best score 0.534
BELOW = "식대 규정은?"  # best score 0.458


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    root = tmp_path_factory.mktemp("answers")
    handbook = write_handbook(root / "handbook")
    home = root / "home"
    with Jisik(load_settings(home, embedder="hashing")) as jisik:
        jisik.add([handbook])
    return home


def _abstains(home, question: str, **overrides) -> bool:
    with Jisik(load_settings(home, **overrides)) as jisik:
        return jisik.ask(question).abstained


def test_the_default_threshold_is_the_documented_one(home):
    assert load_settings(home).abstain_threshold == 0.5


def test_near_threshold_questions_answer_and_abstain(home):
    assert not _abstains(home, ABOVE)
    assert _abstains(home, BELOW)


def test_the_threshold_setting_decides(home):
    assert not _abstains(home, BELOW, abstain_threshold=0.25)  # halved: now answered
    assert _abstains(home, ABOVE, abstain_threshold=1.0)  # doubled: now abstains
    # Between the two scores both keep their verdicts; at a threshold over both, neither
    # answers, under both, both do.
    assert not _abstains(home, ABOVE, abstain_threshold=0.49)
    assert _abstains(home, BELOW, abstain_threshold=0.47)
    assert _abstains(home, ABOVE, abstain_threshold=0.55)
    assert not _abstains(home, BELOW, abstain_threshold=0.44)


def test_an_abstention_cites_nothing_and_is_audited_as_one(home):
    with Jisik(load_settings(home)) as jisik:
        answer = jisik.ask(BELOW)
        assert answer.abstained and answer.citations == ()
        event = list(jisik.audit.events(actions=("ask",)))[-1]
        assert event.payload["abstained"] is True and event.payload["sources"] == []


class _Forger:
    """Wraps the real answerer and changes its first citation (an answerer bug)."""

    def __init__(self, real, change):
        self.real, self.change, self.method = real, change, real.method

    def stream(self, question, hits):
        answer = self.real.answer(question, hits)
        first, *rest = answer.citations
        return events_of(dataclasses.replace(answer, citations=(self.change(first), *rest)))

    def answer(self, question, hits):
        return final_answer(self.stream(question, hits))


def _same_length_other_text(c):
    return dataclasses.replace(
        c, text=c.text[::-1] if c.text != c.text[::-1] else "X" * len(c.text)
    )


@pytest.mark.parametrize(
    "change",
    [
        _same_length_other_text,
        lambda c: dataclasses.replace(c, start=c.start + 1, end=c.end + 1),
        lambda c: dataclasses.replace(c, end=c.end + 1),
        lambda c: dataclasses.replace(c, version=c.version + 1),
        lambda c: dataclasses.replace(c, doc_id="0" * 16),
        lambda c: dataclasses.replace(c, start=c.start + 10_000, end=c.end + 10_000, text=""),
    ],
    ids=[
        "same-length-text",
        "shifted",
        "one-longer",
        "other-version",
        "other-document",
        "past-end",
    ],
)
def test_ask_refuses_an_answer_whose_citation_does_not_match(home, change):
    with Jisik(load_settings(home)) as jisik:
        real = jisik.ask("쓰지 않은 연차는 이월되나요?")
        assert real.citations and not real.abstained
        before = len(list(jisik.audit.events(actions=("ask",))))
        jisik.answerer = _Forger(jisik.answerer, change)
        with pytest.raises(CitationError):
            jisik.ask("쓰지 않은 연차는 이월되나요?")
        # Nothing unverified is recorded as given.
        assert len(list(jisik.audit.events(actions=("ask",)))) == before
