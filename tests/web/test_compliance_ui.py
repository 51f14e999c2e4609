"""The compliance screen in a real browser: an auditor finds a person, erases them
everywhere, downloads the signed receipt, and verifies the audit chain."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.web.conftest import dismiss_notice, shot, sign_in
from tests.web.test_chat_ui import _serious

pytestmark = pytest.mark.slow


def test_an_auditor_erases_a_person_and_downloads_the_receipt(page):
    sign_in(page, "olivia")
    dismiss_notice(page)
    page.get_by_role("link", name="준법 감사").click()
    page.wait_for_url("**/compliance")
    assert page.get_by_role("link", name="관리").count() == 0  # an auditor is no admin
    form = page.locator("#privacy-form")
    form.get_by_label("이름").fill("한소희")
    form.get_by_role("button", name="찾기").click()
    result = page.locator("#privacy-result")
    expect(result).to_be_visible()
    counts = page.locator("#privacy-counts")
    expect(counts).to_contain_text("문서")
    assert page.locator("#privacy-counts dd").first.inner_text() == "1"
    shot(page, "compliance-found")
    assert _serious(page) == []

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="모두 삭제").click()
    receipt = page.locator("#receipt")
    expect(receipt).to_be_visible(timeout=120_000)
    expect(page.locator("#receipt-summary")).to_contain_text("다시 찾은 곳 0개")
    with page.expect_download() as download:
        page.get_by_role("link", name="영수증 내려받기 (JSON, 서명됨)").click()
    saved = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert saved["receipt"] == "jisik erasure receipt" and saved["signature"]
    assert saved["probe_after"]["documents"] == 0
    shot(page, "compliance-receipt")

    page.get_by_role("button", name="해시 체인 검증").click()
    expect(page.locator("#verify-result")).to_contain_text("체인이 온전합니다")
    expect(page.locator("#audit-rows")).to_contain_text("privacy.erase")
    assert _serious(page) == []
    shot(page, "compliance-audit")
