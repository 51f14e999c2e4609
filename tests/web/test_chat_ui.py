"""The web UI in a real browser: sign-in, a wrong password, the AI notice, a streamed
answer whose citation opens the highlighted passage, a follow-up, a permission denial,
the language switch, sign-out, and axe-core on each screen."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.conftest import dismiss_notice, shot, sign_in

pytestmark = pytest.mark.slow


def _serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def test_a_wrong_password_is_refused_and_the_login_page_is_accessible(page):
    page.goto("/")
    assert page.url.endswith("/login")  # not signed in: to the sign-in page
    assert _serious(page) == []
    shot(page, "login")
    page.get_by_label("사용자 이름").fill("alice")
    page.get_by_label("비밀번호").fill("not her password")
    with page.expect_response("**/login") as response:
        page.get_by_role("button", name="로그인").click()
    assert response.value.status == 401
    assert page.get_by_role("alert").inner_text() == "사용자 이름 또는 비밀번호가 맞지 않습니다."
    assert page.get_by_label("사용자 이름").input_value() == "alice"


def test_ask_stream_cite_follow_up_and_sign_out(page, site):
    sign_in(page, "alice")
    notice = page.get_by_role("dialog")
    assert "AI가 만든 답변" in notice.inner_text()  # first use: the AI notice
    shot(page, "chat-notice")
    page.get_by_role("button", name="확인했습니다").click()
    assert notice.is_hidden()
    assert _serious(page) == []

    page.get_by_label("질문").fill("비밀번호는 몇 자 이상이어야 하나요?")
    page.keyboard.press("Enter")
    answer = page.locator("article.message.assistant").last
    answer.locator(".answer-tools").wait_for()
    assert "12자" in answer.locator(".text").inner_text()
    assert "AI 생성 답변" in answer.locator(".ai-label").inner_text()
    answer.locator("button.cite").first.click()
    passage = page.locator("#cited-passage")
    passage.wait_for()
    assert "12자 이상" in passage.inner_text() and passage.is_visible()
    assert "정보보안" in page.locator("#source-heading").inner_text()
    shot(page, "chat-answer-source")
    assert _serious(page) == []

    # Feedback on the answer, with a comment, for the admins.
    answer.get_by_role("button", name="틀림").click()
    answer.get_by_label("의견 (선택)").fill("숫자는 맞지만 출처가 오래됐어요")
    answer.get_by_role("button", name="의견 보내기").click()
    expect(answer.get_by_role("status")).to_have_text("의견을 보냈습니다. 고맙습니다.")

    # A follow-up is read against the conversation, and says how it was understood.
    page.get_by_label("질문").fill("그럼 며칠마다 변경해야 해?")
    page.get_by_role("button", name="보내기").click()
    follow = page.locator("article.message.assistant").nth(1)
    follow.locator(".answer-tools").wait_for()
    assert "90일" in follow.locator(".text").inner_text()
    assert "이렇게 이해했습니다: 비밀번호" in page.locator(".message.user .understood").inner_text()
    conversations = page.locator("#conversation-list li")
    assert conversations.count() == 1
    assert "비밀번호는 몇 자" in conversations.first.inner_text()

    # What she may not read never shows: the finance budget is not found for her.
    page.get_by_role("button", name="+ 새 대화").click()
    page.get_by_label("질문").fill("내년 연구개발 예산은 얼마인가요?")
    page.keyboard.press("Enter")
    denied = page.locator("article.message.assistant").last
    denied.locator(".answer-tools").wait_for()
    assert "42억" not in page.content()
    assert denied.locator("button.cite").count() == 0
    shot(page, "chat-denied")

    # Sign out: the session is gone server-side too.
    cookie = next(c for c in page.context.cookies() if c["name"] == "jisik_session")
    page.get_by_role("button", name="로그아웃").click()
    page.wait_for_url("**/login")
    stale = httpx.get(f"{site.url}/v1/conversations", cookies={"jisik_session": cookie["value"]})
    assert stale.status_code == 401


def test_switching_to_english(page):
    sign_in(page, "alice")
    dismiss_notice(page)
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="Send").is_visible()
    assert page.get_by_role("heading", name="Conversations").is_visible()
    shot(page, "chat-english")
    page.get_by_role("link", name="한국어").click()
    assert page.get_by_role("button", name="보내기").is_visible()


def test_the_api_viewer_works_offline(page, site):
    sign_in(page, "root")
    outside: list[str] = []

    def only_this_server(route):
        # An air-gapped network: anything not served by jisik itself fails.
        if route.request.url.startswith(site.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    page.goto("/docs")
    page.locator(".swagger-ui .information-container").wait_for()
    assert "jisik" in page.locator(".swagger-ui .title").inner_text()
    assert outside == []
    shot(page, "api-docs")


def test_an_admin_creates_a_user_and_reads_the_feedback(page):
    sign_in(page, "root")
    dismiss_notice(page)
    page.get_by_role("link", name="관리").click()
    page.wait_for_url("**/admin")
    form = page.locator("#new-user")
    form.get_by_label("사용자 이름").fill("dahye")
    form.get_by_label("역할").select_option("editor")
    form.get_by_label("hr").check()
    form.get_by_role("button", name="사용자 추가").click()
    key = page.locator("#new-key-value")
    expect(key).to_have_text(re.compile(r"^jsk_"))
    shot(page, "admin-new-key")
    page.get_by_role("button", name="복사했습니다, 숨기기").click()
    expect(page.locator("#new-key")).to_be_hidden()
    row = page.locator("#user-rows tr", has_text="dahye")
    expect(row).to_contain_text("hr")
    expect(page.locator("#feedback-rows")).to_contain_text("출처가 오래됐어요")
    expect(page.locator("#feedback-rows")).to_contain_text("user:alice")
    # A PII policy: phone numbers masked for the whole home, kept after a reload.
    phone = page.get_by_label("전화번호 · 기본")
    with page.expect_response("**/v1/pii/policies/home/phone") as saved:
        phone.select_option("mask")
    assert saved.value.status == 200
    page.reload()
    expect(page.get_by_label("전화번호 · 기본")).to_have_value("mask")
    assert _serious(page) == []
    shot(page, "admin")


def test_the_admin_screen_is_not_offered_to_a_reader(page):
    sign_in(page, "alice")
    dismiss_notice(page)
    assert page.get_by_role("link", name="관리").count() == 0
    page.goto("/admin")
    assert page.url.endswith("/")  # sent back: the API would refuse every request on it


def test_the_first_page_is_light_and_fits_a_tablet(browser, site):
    context = browser.new_context(
        base_url=site.url, locale="ko-KR", viewport={"width": 768, "height": 1024}
    )
    page = context.new_page()
    sign_in(page, "alice")
    sizes: list[int] = []
    page.on("response", lambda response: sizes.append(len(response.body())))
    page.reload()
    page.locator("#conversation-list li").first.wait_for()
    assert sum(sizes) < 200_000, sizes  # every byte of the chat page, uncompressed
    assert page.get_by_role("button", name="보내기").is_visible()
    assert _serious(page) == []
    shot(page, "chat-tablet")
    context.close()
