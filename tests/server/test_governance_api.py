"""Governance endpoints on the real server: roles, audit, registry, erasure with receipt."""

from __future__ import annotations

from pathlib import Path

from tests.server.harness import add_user, cli, start

NAME, EMAIL = "최유진", "yujin.choi@hanbit.example"


def test_auditors_verify_export_and_erase_while_readers_cannot(tmp_path: Path):
    home, docs = tmp_path / "home", tmp_path / "docs"
    docs.mkdir()
    for i in range(2):
        (docs / f"d{i}.md").write_text(
            f"# 공지 {i}\n\n문의 담당자는 {NAME} 선임이며 메일 주소는 {EMAIL}입니다.\n",
            encoding="utf-8",
        )
    cli(home, "add", str(docs))
    add_user(home, "root", "admin")
    auditor = add_user(home, "audit", "auditor")
    reader = add_user(home, "reader", "reader")
    server = start(home)
    try:
        with server.client(reader) as r, server.client(auditor) as a:
            answer = r.post("/v1/ask", json={"question": f"{NAME} 선임의 메일 주소는?"}).json()
            assert EMAIL in answer["answer"]
            assert r.post("/v1/audit/lookup", json={"text": answer["answer"]}).json()[
                "produced_by_jisik"
            ]
            for method, path in (
                ("GET", "/v1/audit/verify"),
                ("GET", "/v1/registry"),
                ("POST", "/v1/privacy/find"),
            ):
                assert r.request(method, path, json={"name": [NAME]}).status_code == 403
            assert a.get("/v1/audit/verify").json()["ok"]
            registry = a.get("/v1/registry").json()["documents"]
            assert len(registry) == 2 and registry[0]["pii_scan"] == "found, allowed"
            assert a.get("/v1/registry", params={"format": "csv"}).text.startswith("doc_id,")
            found = a.post("/v1/privacy/find", json={"name": [NAME], "email": [EMAIL]}).json()
            assert len(found["documents"]) == 2 and found["audit_events"]
            receipt = a.post("/v1/privacy/erase", json={"name": [NAME], "email": [EMAIL]}).json()
            assert not any(receipt["probe_after"].values())
            checked = a.post(
                "/v1/privacy/verify",
                json={"receipt": receipt, "identifiers": {"name": [NAME], "email": [EMAIL]}},
            ).json()
            assert checked["ok"]
            after = r.post("/v1/ask", json={"question": f"{NAME} 선임의 메일 주소는?"}).json()
            assert EMAIL not in after["answer"] and NAME not in after["answer"]
            assert all(
                NAME not in h["text"] for h in r.get("/v1/search", params={"q": NAME}).json()
            )
            bad = a.post("/v1/privacy/find", json={"phone": ["123"]})
            assert bad.status_code == 422 and "fewer than 6 digits" in bad.json()["detail"]
    finally:
        server.stop()
