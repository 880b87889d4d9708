"""The page's own refusals are in Chinese too: a foreign Host header, a body of any size."""

from __future__ import annotations

from conftest import EXAMPLES
from fastapi.testclient import TestClient

from scoring.web.app import create_app


def test_a_request_for_another_host_is_refused_in_chinese():
    client = TestClient(create_app(EXAMPLES, token="t"), base_url="http://evil.example")
    response = client.get("/")
    assert response.status_code == 400
    assert "请求的地址（Host）不被接受" in response.text and "Invalid" not in response.text


def test_a_body_far_over_the_limit_is_refused_in_chinese():
    client = TestClient(create_app(EXAMPLES, token="t"), base_url="http://127.0.0.1")
    response = client.post("/e/x/recompute", content=b"a" * (9 * 1024 * 1024),
                           headers={"X-Jixiao-Token": "t", "content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert "提交的内容过大" in response.text and "Content Too Large" not in response.text
