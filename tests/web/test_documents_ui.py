"""The document library in a real browser: several files uploaded at once with their own
progress and results (one of them corrupt), filters, a preview with its sections, delete
with confirmation — and a reader who is offered none of what she may not do."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.conftest import dismiss_notice, shot, sign_in
from tests.web.test_chat_ui import _serious

pytestmark = pytest.mark.slow


def _files(tmp_path):
    good = tmp_path / "출장규정.md"
    good.write_text(
        "# 출장 규정\n\n## 국내 출장\n숙박비는 1박 9만 원까지 지원합니다.\n\n"
        "## 해외 출장\n출발 2주 전에 승인을 받습니다.\n",
        encoding="utf-8",
    )
    other = tmp_path / "주차안내.txt"
    other.write_text("방문객 주차는 두 시간까지 무료입니다.\n", encoding="utf-8")
    broken = tmp_path / "깨진문서.docx"
    broken.write_bytes(b"PK\x03\x04 this is not really a word file")
    return [good, other, broken]


def test_upload_filter_preview_and_delete(page, tmp_path):
    sign_in(page, "eun")
    dismiss_notice(page)
    page.get_by_role("link", name="문서", exact=True).click()
    page.wait_for_url("**/documents")
    page.locator("#file-input").set_input_files([str(f) for f in _files(tmp_path)])
    items = page.locator(".upload-item")
    items.nth(2).wait_for()
    page.locator(".upload-item.done").nth(1).wait_for(timeout=90_000)
    page.locator(".upload-item.failed").first.wait_for(timeout=90_000)
    failed = page.locator(".upload-item.failed")
    assert failed.count() == 1 and "깨진문서.docx" in failed.inner_text()
    assert "실패" in failed.locator(".status").inner_text()
    assert page.locator(".upload-item.done").count() == 2
    shot(page, "documents-upload")
    assert _serious(page) == []

    page.get_by_label("제목").fill("출장")
    rows = page.locator("#library-rows tr")
    assert rows.count() == 1 and "출장 규정" in rows.first.inner_text()
    assert "hr" in rows.first.inner_text()  # her first group was chosen for readers
    rows.first.get_by_role("button", name="출장 규정", exact=True).click()
    preview = page.locator("#preview")
    preview.wait_for()
    assert "국내 출장" in page.locator("#preview-sections").inner_text()
    assert "9만 원" in page.locator("#preview-text").inner_text()
    shot(page, "documents-preview")

    page.once("dialog", lambda dialog: dialog.accept())
    rows.first.get_by_role("button", name="삭제: 출장 규정").click()
    expect(page.locator("#library-rows tr")).to_have_count(0)


def test_a_reader_is_offered_no_upload_or_delete(page):
    sign_in(page, "alice")
    dismiss_notice(page)
    page.goto("/documents")
    page.locator("#library-rows tr").first.wait_for()
    assert page.locator("#drop-zone").count() == 0
    assert page.get_by_role("button", name="삭제").count() == 0
    library = page.locator("#library-rows").inner_text()
    assert "정보보안" in library and "예산" not in library  # finance is not hers
    assert _serious(page) == []
    shot(page, "documents-reader")
