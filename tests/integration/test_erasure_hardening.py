"""Erasure against the spellings, leftovers and forgeries an attack used (issue 9: 1, 4, 12).

Every check here reads the stores by its own means (raw file bytes, ``sqlite3``,
``hashlib``), not through the erasure code it checks.
"""

from __future__ import annotations

import copy
import hashlib
import json
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jisik.keys import public_key_file, public_key_hex, read_public_key_file
from jisik.privacy.erasure import verify
from jisik.privacy.receipts import check_signature, sign
from jisik.privacy.subject import Subject
from jisik.service import Jisik
from jisik.store.jobs import JobStore
from tests.unit.test_identifier_normaliser import ISSUE_SPELLINGS

NAME, PHONE, EMAIL = "김민준", "010-1234-5678", "minjun.kim@hanbit.example"
SPELLED_NAMES = ("김민준", "김 민 준", "김 민준")
SPELLED_EMAILS = ("minjun.kim＠hanbit.example", "MINJUN.KIM@hanbit.example")


def _leftovers(text: str) -> list[str]:
    """Which spellings of the person are in ``text`` (an outside reference: literal
    spellings, NFKC-compared)."""
    plain = unicodedata.normalize("NFKC", text).lower()
    wanted = [*ISSUE_SPELLINGS, PHONE, *SPELLED_NAMES, EMAIL, *SPELLED_EMAILS]
    return [w for w in wanted if unicodedata.normalize("NFKC", w).lower() in plain]


def _seed(folder: Path) -> None:
    folder.mkdir(parents=True)
    for i, spelling in enumerate(ISSUE_SPELLINGS):
        name = SPELLED_NAMES[i % len(SPELLED_NAMES)]
        email = SPELLED_EMAILS[i % len(SPELLED_EMAILS)]
        (folder / f"contact-{i}.md").write_text(
            f"# 연락처 {i}\n\n담당자 {name} 과장: 전화 {spelling}, 메일 {email}.\n\n"
            "다른 담당자는 이서연 대리(02-555-0199)입니다.\n",
            encoding="utf-8",
        )
    (folder / "menu.md").write_text("# 식당\n\n사내 식당은 12시에 엽니다.\n", encoding="utf-8")


@pytest.fixture(scope="module")
def erased(tmp_path_factory):
    root = tmp_path_factory.mktemp("erase-hard")
    from jisik.settings import load_settings

    settings = load_settings(root / "home", embedder="hashing")
    _seed(root / "docs")
    subject = Subject.of(name=[NAME], phone=[PHONE], email=[EMAIL])
    with Jisik(settings) as jisik:
        assert jisik.add([root / "docs"]).added == len(ISSUE_SPELLINGS) + 1
        jisik.ask(f"{NAME} 과장 전화번호는?")
        layout = jisik.layout
        # Left by a killed job: an original no version uses, a staging folder of no job.
        orphan = layout.originals / "ab" / ("ab" + "0" * 62)
        orphan.parent.mkdir(parents=True, exist_ok=True)
        orphan.write_text(f"이력서 {NAME} {PHONE}", encoding="utf-8")
        stale = layout.uploads / "deadbeef" / "00000" / "old.md"
        stale.parent.mkdir(parents=True)
        stale.write_text("아무 내용", encoding="utf-8")
        # A job still waiting, whose file names the person: it must not bring them back.
        jobs = JobStore(jisik.engine)
        jobs.create("queuedjob", "erin", None, [f"{NAME}_이력서.md", "plain.md"])
        waiting = layout.uploads / "queuedjob" / "00000" / f"{NAME}_이력서.md"
        waiting.parent.mkdir(parents=True)
        waiting.write_text(f"# 이력서\n\n{NAME} ０１０－１２３４－５６７８", encoding="utf-8")
        innocent = layout.uploads / "queuedjob" / "00001" / "plain.md"
        innocent.parent.mkdir(parents=True)
        innocent.write_text("# 공지\n\n회의는 3시입니다.", encoding="utf-8")

        before = jisik.privacy_find(subject)
        erasure = jisik.privacy_erase(subject, actor="cli:dpo")
        public = jisik.public_key()
    return {
        "settings": settings,
        "subject": subject,
        "before": before,
        "receipt": erasure.receipt,
        "public": public,
        "paths": {"orphan": orphan, "stale": stale, "waiting": waiting, "innocent": innocent},
    }


def test_find_saw_every_spelling_before(erased):
    before = erased["before"]
    assert len(before["documents"]) == len(ISSUE_SPELLINGS)
    assert before["orphaned_originals"] == 1 and before["stale_staging_folders"] == 1
    assert before["job_records"] == 1
    assert any("queuedjob" in p for p in before["home_files"])


def test_nothing_is_left_in_any_store_and_the_probe_agrees(erased):
    receipt = erased["receipt"]
    assert not any(receipt["probe_after"].values()), receipt["probe_after"]
    home = erased["settings"].home
    raw = b"".join(p.read_bytes() for p in home.glob("jisik.db*"))
    assert _leftovers(raw.decode("utf-8", errors="ignore")) == []
    with sqlite3.connect(home / "jisik.db") as db:
        for (text,) in db.execute(
            "SELECT text FROM versions UNION ALL SELECT text FROM chunks "
            "UNION ALL SELECT files_json || results_json || error FROM jobs"
        ):
            assert _leftovers(text) == [], text
        others = [t for (t,) in db.execute("SELECT text FROM versions") if "이서연" in t]
    assert others  # the rest of each document is still there
    for path in home.rglob("*"):
        if path.is_file() and path.parent != home:
            assert _leftovers(path.read_bytes().decode("utf-8", errors="ignore")) == [], path


def test_leftover_files_are_removed_and_waiting_uploads_lose_only_the_persons_file(erased):
    paths = erased["paths"]
    assert not paths["orphan"].exists() and not paths["stale"].parent.parent.exists()
    assert not paths["waiting"].exists()
    assert paths["innocent"].exists()
    removed = erased["receipt"]["removed"]["home"]
    assert removed == {
        "orphaned_originals": 1,
        "stale_staging_folders": 1,
        "files_naming_the_person": 1,
    }


def test_the_receipt_names_nobody_and_cannot_be_brute_forced(erased):
    receipt = erased["receipt"]
    text = json.dumps(receipt, ensure_ascii=False)
    assert NAME not in text and "12345678" not in text and "salt" not in text
    hashes = {h["hmac"] for h in receipt["request"]["identifiers"]}
    # An attacker holding only the receipt tries the unkeyed forms of every candidate.
    guesses = set()
    for kind, normal in (("phone", "01012345678"), ("name", NAME), ("email", EMAIL)):
        for message in (normal, f"{kind}:{normal}", f"{receipt['receipt_id']}:{kind}:{normal}"):
            guesses.add(hashlib.sha256(message.encode()).hexdigest())
    assert not hashes & guesses


def test_a_receipt_verifies_only_against_the_homes_key(erased):
    receipt, public = erased["receipt"], erased["public"]
    assert check_signature(receipt, public).valid
    forged = copy.deepcopy(receipt)
    forged["probe_after"]["documents"] = 0
    forged["removed"]["documents_redacted"].append({"doc_id": "x", "replacements": 1})
    attacker = Ed25519PrivateKey.generate()
    resigned = sign(forged, attacker)
    resigned["signature"]["public_key"] = public_key_hex(attacker.public_key())
    check = check_signature(resigned, public)
    assert not check.valid and "another key" in check.reason
    # …even when the forger copies this home's key id into the signature
    resigned["signature"]["key_id"] = receipt["signature"]["key_id"]
    assert not check_signature(resigned, public).valid


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, (*path, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _leaves(inner, (*path, i))
    else:
        yield path, value


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    return f"{value}x"


def test_changing_any_field_of_a_receipt_invalidates_it(erased):
    receipt, public = erased["receipt"], erased["public"]
    body = {k: v for k, v in receipt.items() if k != "signature"}
    leaves = list(_leaves(body))
    assert any(p[0] == "probe_after" for p, _ in leaves)  # what is checked includes the probe
    for path, value in leaves:
        tampered = copy.deepcopy(receipt)
        holder = tampered
        for key in path[:-1]:
            holder = holder[key]
        holder[path[-1]] = _changed(value)
        assert not check_signature(tampered, public).valid, path
    for extra in ("probe_after", "removed", "request"):
        tampered = copy.deepcopy(receipt)
        tampered[extra] = {**tampered[extra], "added": 1}
        assert not check_signature(tampered, public).valid, extra


def test_an_auditor_verifies_with_the_exported_key_alone(erased, tmp_path):
    key_file = tmp_path / "jisik.pub"
    key_file.write_text(public_key_file(erased["public"]), encoding="utf-8")
    result = verify(erased["receipt"], read_public_key_file(key_file))
    assert result["signature_valid"] and result["ok"] and not result["probed"]
    other = Ed25519PrivateKey.generate().public_key()
    assert not verify(erased["receipt"], other)["signature_valid"]


def test_verify_with_identifiers_probes_again(erased):
    with Jisik(erased["settings"]) as jisik:
        checked = jisik.privacy_verify(erased["receipt"], erased["subject"])
        assert checked["signature_valid"] and checked["identifiers_match"], checked
        assert not any(checked["found"].values()), checked["found"]
        wrong = jisik.privacy_verify(erased["receipt"], Subject.of(name=["이서연"]))
        assert not wrong["identifiers_match"] and not wrong["ok"]
        actions = [e.action for e in jisik.audit.events()]
    assert {"privacy.find", "privacy.erase", "privacy.verify"} <= set(actions)


def test_two_receipts_for_one_person_cannot_be_linked(erased):
    with Jisik(erased["settings"]) as jisik:
        again = jisik.privacy_erase(erased["subject"], actor="cli:dpo").receipt
    first = {h["hmac"] for h in erased["receipt"]["request"]["identifiers"]}
    second = {h["hmac"] for h in again["request"]["identifiers"]}
    assert first.isdisjoint(second)
