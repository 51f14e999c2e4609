"""Receipts against literal vectors computed outside jisik (Python's hmac and hashlib,
and a fixed Ed25519 key in `cryptography`, once, pasted here): the hashed form of each
identifier, the exact bytes signed, the key fingerprint and every refusal's wording.
A change to any of them breaks receipts already issued, so it must fail here."""

from __future__ import annotations

import copy

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jisik.privacy.receipts import check_signature, identifier_hashes, key_id, matches, sign
from jisik.privacy.subject import Subject

HMAC_KEY = bytes(range(32))
SIGNING_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(2, 34)))
# hmac.new(HMAC_KEY, "r-1:phone:01012345678".encode(), sha256), and the same for the name
PHONE_HMAC = "9c827e40ce98c86fc3a92aab542ef76626036e7bb6812ea2601d65bb5457c4bc"
NAME_HMAC = "4b4b763f97b410f089b189255b9e6e2bc0a646aa4a69c754b2bf2a17acfc9564"
# sha256 of the raw public key, first 16 hex digits
KEY_ID = "65b60673d6ed884b"
# SIGNING_KEY.sign(b'{"n":1,"probe_after":{"chunks":0},"subject":"\xed\x99\x8d\xea\xb8\xb8\xeb\x8f\x99"}')
SIGNATURE = (
    "a6b958e583f109afeea0fda91fc583142e2101b1803776086dd5c385888cf4d6"
    "0615e09af3ec9a885940c2325c937a8ebe836527e804f554b77e161465062701"
)


def _subject(*pairs: tuple[str, str]) -> Subject:
    return Subject.from_json([{"kind": k, "value": v} for k, v in pairs])


@pytest.mark.parametrize("phone", ["010-1234-5678", "010 1234 5678", "+82 10-1234-5678"])
@pytest.mark.parametrize("name", ["홍길동", "홍 길동", "홍 길 동"])
def test_identifiers_hash_to_the_literal_hmac_of_their_canonical_form(phone, name):
    hashes = identifier_hashes(_subject(("phone", phone), ("name", name)), HMAC_KEY, "r-1")
    assert hashes == [{"kind": "phone", "hmac": PHONE_HMAC}, {"kind": "name", "hmac": NAME_HMAC}]


def test_a_spaced_korean_name_finds_every_spelling():
    pattern = _subject(("name", "홍 길동")).patterns[0]
    assert all(pattern.search(t) for t in ("홍길동 과장", "홍 길동", "홍 길 동"))


def test_the_signature_is_over_sorted_compact_utf8_json():
    receipt = sign({"subject": "홍길동", "n": 1, "probe_after": {"chunks": 0}}, SIGNING_KEY)
    assert receipt["signature"] == {"algorithm": "Ed25519", "key_id": KEY_ID, "value": SIGNATURE}
    assert key_id(SIGNING_KEY.public_key()) == KEY_ID
    assert check_signature(receipt, SIGNING_KEY.public_key()).valid


def _signed() -> dict:
    return sign({"subject": "홍길동", "n": 1, "probe_after": {"chunks": 0}}, SIGNING_KEY)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda r: r.update(n=2), "the signature does not match: the receipt was changed"),
        (lambda r: r["probe_after"].update(chunks=1), "the signature does not match"),
        (lambda r: r["signature"].pop("value"), "the signature does not match"),
        (lambda r: r["signature"].update(value="zz"), "the signature does not match"),
        (lambda r: r["signature"].update(algorithm="RSA"), "no Ed25519 signature"),
        (lambda r: r.pop("signature"), "no Ed25519 signature"),
        (lambda r: r.update(signature="abc"), "no Ed25519 signature"),
    ],
)
def test_each_change_is_refused_with_its_reason(change, reason):
    receipt = _signed()
    change(receipt)
    check = check_signature(receipt, SIGNING_KEY.public_key())
    assert not check.valid and check.reason.startswith(reason)


def test_a_receipt_signed_by_another_key_names_both_keys():
    forged = sign(copy.deepcopy(_signed()), OTHER_KEY)
    check = check_signature(forged, SIGNING_KEY.public_key())
    claimed = key_id(OTHER_KEY.public_key())
    assert not check.valid
    assert check.reason == f"signed by another key ({claimed}), not this home's ({KEY_ID})"


def test_not_a_receipt():
    check = check_signature(["not", "a", "dict"], SIGNING_KEY.public_key())
    assert (check.valid, check.reason) == (False, "not a receipt (expected a JSON object)")


def _receipt(identifiers: list[dict], version: int = 2, **request) -> dict:
    return {
        "version": version,
        "receipt_id": "r-1",
        "request": {"identifiers": identifiers, **request},
    }


def test_matches_exactly_the_identifiers_issued_for():
    issued = _receipt([{"kind": "phone", "hmac": PHONE_HMAC}, {"kind": "name", "hmac": NAME_HMAC}])
    both = _subject(("name", "홍 길동"), ("phone", "01012345678"))
    assert matches(issued, both, HMAC_KEY)
    assert not matches(issued, _subject(("phone", "01012345678")), HMAC_KEY)  # one missing
    assert not matches(issued, both, bytes(32))  # another home's key
    assert not matches({**issued, "receipt_id": "r-2"}, both, HMAC_KEY)
    assert not matches(_receipt("x"), both, HMAC_KEY)
    assert not matches("receipt", both, HMAC_KEY)


def test_version_1_receipts_match_their_salted_sha256():
    # hashlib.sha256(b"salt-1:phone:01012345678")
    legacy = "f890757b96de8dea633b0b0297b9e20b034c6e451f286f82db3d1c9c9867b1f3"
    issued = _receipt([{"kind": "phone", "sha256": legacy}], version=1, salt="salt-1")
    assert matches(issued, _subject(("phone", "010-1234-5678")), HMAC_KEY)
    assert not matches(issued, _subject(("phone", "010-1234-5679")), HMAC_KEY)
