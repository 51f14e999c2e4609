"""The message catalogues: both languages hold the same keys, and every key a template
or script asks for exists (a missing one would be a blank or a raw key on the page)."""

from __future__ import annotations

import re
from importlib.resources import files

from jisik.web.i18n import LANGUAGES, catalogue, language_of, translate

WEB = files("jisik.web")


def _used_keys() -> set[str]:
    keys: set[str] = set()
    for folder, pattern in (
        ("templates", r"""\bt\(\s*["']([\w.]+)["']\s*[,)]"""),
        ("static", r"""\bt\("([\w.]+)"\s*[,)]"""),
    ):
        for item in WEB.joinpath(folder).iterdir():
            if item.name.endswith((".html", ".js")):
                keys |= set(re.findall(pattern, item.read_text("utf-8")))
    return keys


def test_both_catalogues_hold_the_same_keys():
    assert set(catalogue("ko")) == set(catalogue("en"))


def test_every_key_used_exists():
    used = _used_keys()
    assert len(used) > 30
    for language in LANGUAGES:
        assert used <= set(catalogue(language)), used - set(catalogue(language))


def test_keys_built_at_run_time_exist():
    from jisik.identity.records import ROLES
    from jisik.privacy.policy import ACTIONS
    from jisik.store.feedback import VERDICTS

    for language in LANGUAGES:
        messages = catalogue(language)
        assert all(f"role.{role}" in messages for role in ROLES)
        assert all(f"feedback.{verdict}" in messages for verdict in VERDICTS)
        assert all(f"pii.{action}" in messages for action in ACTIONS)
        counted = ("documents", "chunks", "audit_events", "conversation_entries")
        counted += ("feedback_comments", "job_records", "home_files")
        assert all(f"comp.count.{key}" in messages for key in counted)


def test_korean_is_the_default_and_values_are_filled_in():
    assert language_of(None) == language_of("fr") == "ko"
    assert translate("en", "login.throttled", seconds=30).endswith("30 seconds.")
    assert "30초" in translate("ko", "login.throttled", seconds=30)
