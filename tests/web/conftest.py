"""One real `jisik serve` and one headless Chromium for the web UI tests (Debian's
chromium driven by Playwright, never a downloaded browser). Screenshots go to
tests/web/screenshots/ (or $JISIK_SCREENSHOTS)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_handbook
from tests.server.harness import add_user, cli, start

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(os.environ.get("JISIK_SCREENSHOTS", Path(__file__).parent / "screenshots"))


def set_password(home: Path, name: str, password: str = PASSWORD) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "jisik.cli.main",
            "users",
            "set-password",
            name,
            "--password-stdin",
            "--home",
            str(home),
        ],
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    root = tmp_path_factory.mktemp("web")
    home = root / "home"
    handbook = write_handbook(root / "handbook")
    add_user(home, "root", "admin")
    cli(home, "groups", "add", "hr")
    cli(home, "groups", "add", "finance")
    add_user(home, "alice", "reader", "hr")
    add_user(home, "eun", "editor", "hr")
    add_user(home, "olivia", "auditor")
    cli(home, "add", str(handbook), "--group", "hr")
    secret = root / "finance"
    secret.mkdir()
    (secret / "budget.md").write_text(
        "# 예산\n\n내년 연구개발 예산은 42억 원으로 확정되었습니다.\n", encoding="utf-8"
    )
    cli(home, "add", str(secret), "--group", "finance")
    contacts = root / "contacts"
    contacts.mkdir()
    (contacts / "hr-contacts.md").write_text(
        "# 인사팀 연락처\n\n채용 문의는 한소희 대리에게 하세요. 내선 2041번입니다.\n",
        encoding="utf-8",
    )
    cli(home, "add", str(contacts), "--group", "hr")
    set_password(home, "alice")
    set_password(home, "eun")
    set_password(home, "olivia")
    set_password(home, "root")
    server = start(home)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(site):
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(
        base_url=site.url, locale="ko-KR", viewport={"width": 1280, "height": 800}
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, name: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("사용자 이름").fill(name)
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url("**/")


def dismiss_notice(page) -> None:
    page.get_by_role("button", name="확인했습니다").click()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
