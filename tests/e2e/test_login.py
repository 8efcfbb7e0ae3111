import pytest

from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_is_chinese_and_logs_in(page, live_server, consultant):
    page.goto(f"{live_server.url}/login/")
    assert page.locator("h1").inner_text() == "登录"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    login(page, live_server, "zhang")
    assert "/login/" not in page.url
    assert "张伟" in page.locator(".who").inner_text()
