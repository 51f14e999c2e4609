"""How the API reports failures it did not expect: storage trouble is a 503 that says
nothing changed; anything else a 500 that points at the server log."""

from __future__ import annotations

import sqlite3

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from jisik.server import problems


def _client(error: Exception) -> TestClient:
    app = FastAPI()
    problems.install(app)

    @app.get("/boom")
    def boom() -> dict:
        raise error

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (
            OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full")),
            "the disk may be full",
        ),
        (OperationalError("INSERT", {}, sqlite3.OperationalError("disk I/O error")), "disk I/O"),
        (OSError(28, "No space left on device"), "the disk is full"),
    ],
)
def test_storage_failures_are_503_with_retry_after(error, says):
    response = _client(error).get("/boom")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    body = response.json()
    assert says in body["detail"] and "nothing was changed" in body["detail"]


def test_other_failures_are_500_without_details():
    response = _client(OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x")))
    response = response.get("/boom")
    assert response.status_code == 500
    assert "no such table" not in response.text
    assert "server log" in response.json()["detail"]
