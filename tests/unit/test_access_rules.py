"""Who may replace a document and change its readers (issue 9, defects 3 and 6).

The oracle below is written from the rules as a person states them, not from the code.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from jisik.access import Writer
from jisik.index.base import PUBLIC

GROUPS = ("hr", "finance", "legal", "sales")
group_sets = st.frozensets(st.sampled_from(GROUPS), max_size=3).map(lambda g: tuple(sorted(g)))


def allowed_by_the_rules(admin, own, current, new) -> bool:
    if admin:
        return True
    # 1. replacing or regrouping an existing document needs reading it
    if current is not None:
        public = current == ()
        if not (public or set(current) & set(own)):
            return False
    if new is None:
        return True
    # 2. every group newly named must be one of the writer's own
    for group in new:
        if group not in own and (current is None or group not in current):
            return False
    # 3. only a new or already public document may be made public
    return not (new == () and current not in (None, ()))


@given(
    st.booleans(),
    group_sets,
    st.none() | group_sets,
    st.none() | group_sets,
)
def test_the_writer_follows_the_rules(admin, own, current, new):
    readers = None if admin else frozenset(own) | {PUBLIC}
    writer = Writer("someone", readers, frozenset(own))
    refusal = writer.refusal(current, new)
    assert (refusal == "") == allowed_by_the_rules(admin, own, current, new), refusal


def test_the_reasons_say_what_is_wrong_and_what_to_do():
    editor = Writer("erin", frozenset({"hr", PUBLIC}), frozenset({"hr"}))
    assert "cannot replace it" in editor.refusal(("finance",), None)
    assert "not a member of: finance" in editor.refusal(None, ("finance",))
    assert "admin role" in editor.refusal(("hr",), ())
    assert editor.refusal(None, ()) == ""  # a new document may be public
    assert editor.refusal(("hr", "finance"), ("hr", "finance")) == ""  # keeping is fine


def test_the_refusals_word_for_word():
    """Users act on these sentences (issue 9's mutation audit: a reworded or truncated
    refusal still passed the checks above)."""
    editor = Writer("erin", frozenset({"hr", PUBLIC}), frozenset({"hr"}))
    assert editor.refusal(None, ("sales", "finance", "hr")) == (
        "you may only give documents to groups you belong to; not a member of: finance, sales"
    )
    assert editor.refusal(("hr",), ()) == (
        "making a group-only document readable by everyone needs the admin role; "
        "keep its groups or ask an admin"
    )
    assert editor.refusal(("finance",), ("hr",)) == (
        "a document with this name exists and you may not read it, so you cannot "
        "replace it; upload it under another name"
    )
