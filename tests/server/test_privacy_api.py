"""Privacy endpoints are no oracle for documents the caller may not read (issue 9, defect 5).

An auditor who gets 404 on a document must not recover its contents by guessing
identifiers or words; only typed identifiers of a minimum strength are accepted, whole
documents are removed only by an admin who confirms them, and every call is audited.
"""

from __future__ import annotations

import pytest

from tests.server.harness import add_user, cli, start

NAME = "최유진"
SECRET = "구조조정대상명단"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("privacy-api")
    home, docs = root / "home", root / "docs"
    docs.mkdir()
    (docs / "hr-only.md").write_text(
        f"# {SECRET}\n\n인사팀 내부 문서: {NAME} 책임, {SECRET} 검토 중.\n", encoding="utf-8"
    )
    (docs / "public.md").write_text(f"# 안내\n\n문의는 {NAME} 책임에게.\n", encoding="utf-8")
    (docs / "other.md").write_text("# 식당\n\n식당은 12시에 엽니다.\n", encoding="utf-8")
    cli(home, "groups", "add", "hr")
    cli(home, "add", str(docs / "hr-only.md"), "--group", "hr")
    cli(home, "add", str(docs / "public.md"), str(docs / "other.md"))
    keys = {
        "root": add_user(home, "root", "admin"),
        "audrey": add_user(home, "audrey", "auditor"),
        "hana": add_user(home, "hana", "reader", "hr"),
        "rita": add_user(home, "rita", "reader"),
    }
    server = start(home)
    yield server, keys
    server.stop()


def test_an_auditor_sees_counts_not_contents_of_what_they_may_not_read(world):
    server, keys = world
    with server.client(keys["audrey"]) as audrey:
        response = audrey.post("/v1/privacy/find", json={"name": [NAME]})
        assert response.status_code == 200
        found = response.json()
    assert SECRET not in response.text and "hr-only" not in response.text
    by_readable = {d["readable"]: d for d in found["documents"]}
    hidden, shown = by_readable[False], by_readable[True]
    assert set(hidden) == {"doc_id", "occurrences", "readable"} and hidden["occurrences"] == 1
    assert shown["title"] == "안내" and shown["source"] == "public.md"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"value": [SECRET]}, "value"),  # a free-form word: not an identifier
        ({"name": ["최"]}, "at least 2"),
        ({"name": ["구조조정!"]}, "only letters"),
        ({"phone": ["1234"]}, "digits"),
        ({"email": ["nobody"]}, "not an e-mail address"),
        ({}, "at least one identifier"),
    ],
)
def test_only_typed_identifiers_of_some_strength_are_accepted(world, body, problem):
    server, keys = world
    with server.client(keys["audrey"]) as audrey:
        response = audrey.post("/v1/privacy/find", json=body)
    assert response.status_code == 422, response.text
    assert problem in response.text


def test_answer_lookup_is_no_oracle_for_other_peoples_answers(world):
    server, keys = world
    with server.client(keys["hana"]) as hana:
        answer = hana.post("/v1/ask", json={"question": f"{SECRET} 검토는 누가 하나요?"}).json()
        assert SECRET in answer["answer"]
        mine = hana.post("/v1/audit/lookup", json={"text": answer["answer"]}).json()
    with server.client(keys["rita"]) as rita, server.client(keys["audrey"]) as audrey:
        guessed = rita.post("/v1/audit/lookup", json={"text": answer["answer"]}).json()
        audited = audrey.post("/v1/audit/lookup", json={"text": answer["answer"]}).json()
    assert mine["produced_by_jisik"] and audited["produced_by_jisik"]
    assert not guessed["produced_by_jisik"] and guessed["matches"] == []


def test_removing_whole_documents_needs_an_admin_and_a_confirmation(world):
    server, keys = world
    with server.client(keys["audrey"]) as audrey, server.client(keys["root"]) as root:
        denied = audrey.post("/v1/privacy/erase", json={"name": [NAME], "remove_documents": True})
        assert denied.status_code == 403 and "admin" in denied.json()["detail"]
        unconfirmed = root.post(
            "/v1/privacy/erase", json={"name": [NAME], "remove_documents": True}
        )
        assert unconfirmed.status_code == 422 and "confirm_documents" in unconfirmed.text
        ids = [
            d["doc_id"]
            for d in root.post("/v1/privacy/find", json={"name": [NAME]}).json()["documents"]
        ]
        assert len(ids) == 2
        wrong = root.post(
            "/v1/privacy/erase",
            json={"name": [NAME], "remove_documents": True, "confirm_documents": ids[:1]},
        )
        assert wrong.status_code == 409 and ids[1] in wrong.json()["detail"]
        before = root.get("/v1/documents").json()["total"]
        receipt = root.post(
            "/v1/privacy/erase",
            json={"name": [NAME], "remove_documents": True, "confirm_documents": ids},
        ).json()
        assert len(receipt["removed"]["documents_removed"]) == 2
        assert root.get("/v1/documents").json()["total"] == before - 2
        checked = root.post(
            "/v1/privacy/verify", json={"receipt": receipt, "identifiers": {"name": [NAME]}}
        ).json()
        assert checked["signature_valid"] and checked["identifiers_match"]
        events = root.get("/v1/audit/events").json()["events"]
    privacy = [
        (e["action"], e["payload"].get("outcome")) for e in events if "privacy" in e["action"]
    ]
    assert ("privacy.erase", "denied") in privacy
    assert ("privacy.erase", "refused") in privacy  # the wrong confirmation
    assert ("privacy.erase", "done") in privacy
    assert ("privacy.find", None) in privacy and ("privacy.verify", None) in privacy
    # The trail records who asked, not whom for: identifiers only as keyed hashes.
    for event in events:
        if event["action"].startswith("privacy."):
            assert NAME not in str(event["payload"])


def test_the_public_key_is_served_for_offline_verification(world):
    server, keys = world
    with server.client(keys["audrey"]) as audrey:
        key = audrey.get("/v1/privacy/public-key")
    assert key.status_code == 200 and key.text.startswith("jisik-public-key Ed25519 ")
