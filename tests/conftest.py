"""Shared fixtures: real Kiwi, real tantivy, real SQLite, files written by the tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jisik.service import Jisik
from jisik.settings import load_settings

# The default embedder (e5, about 4 passages a second on two cores) would make every
# test home embed its documents: tests run lexical unless they ask for an embedder,
# and the ones about e5 and the default say so (test_background_embedding.py,
# test_settings_and_home.py). Subprocesses of the CLI inherit this.
os.environ.setdefault("JISIK_EMBEDDER", "none")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"

HANDBOOK = {
    "hr/leave.md": """# 연차휴가 규정

## 신입사원
입사 첫해에는 한 달 개근할 때마다 1일의 유급휴가가 생깁니다. 2년차부터는 연 15일이 부여됩니다.

## 이월
쓰지 않은 연차는 다음 해로 이월되지 않으며, 연말에 수당으로 정산합니다.
""",
    "security/password.txt": """정보보안 규정
비밀번호는 12자 이상이어야 하며 90일마다 변경해야 합니다.
사내 VPN에 접속할 때는 MFA 인증이 필요합니다.
보안 사고는 내선 4000번으로 즉시 신고합니다.
""",
    "expenses/meals.csv": "항목,한도,비고\n식대,12000원,1인 1회 기준\n숙박비,100000원,서울 지역\n",
    "general/intro.html": """<html><head><title>회사 소개</title></head><body>
<h1>회사 소개</h1><p>한빛테크는 2009년에 설립된 소프트웨어 회사입니다.</p>
<h2>복리후생</h2><p>모든 직원은 매년 건강검진을 받고 자기계발비로 연 100만 원을 지원받습니다.</p>
</body></html>""",
}


def write_handbook(root: Path) -> Path:
    for relative, text in HANDBOOK.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def handbook(tmp_path: Path) -> Path:
    return write_handbook(tmp_path / "handbook")


@pytest.fixture
def settings(tmp_path: Path):
    return load_settings(tmp_path / "home", embedder="hashing")


@pytest.fixture
def jisik(settings):
    with Jisik(settings) as service:
        yield service
