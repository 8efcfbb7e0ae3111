import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "<h1>登录</h1>" in html


def test_language_switch_to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    html = client.get(reverse("login")).content.decode()
    assert "<h1>Log in</h1>" in html


def test_login_and_logout(client, consultant):
    response = client.post(reverse("login"), {"username": "zhang", "password": "pass-1234"})
    assert response.status_code == 302
    assert client.get(reverse("password_change")).status_code == 200
    client.post(reverse("logout"))
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_wrong_password_keeps_username_and_says_why(client, consultant):
    response = client.post(reverse("login"), {"username": "zhang", "password": "nope"})
    html = response.content.decode()
    assert "用户名或密码不正确" in html
    assert 'value="zhang"' in html


def test_password_change(client, consultant):
    client.force_login(consultant)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pass-1234",
            "new_password1": "Qz!8-showroom",
            "new_password2": "Qz!8-showroom",
        },
    )
    assert response.status_code == 302
    consultant.refresh_from_db()
    assert consultant.check_password("Qz!8-showroom")


def test_pages_require_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_browser_language_does_not_override_chinese_default(client):
    html = client.get(
        reverse("login"), headers={"accept-language": "en-US,en;q=0.9"}
    ).content.decode()
    assert "<h1>登录</h1>" in html


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("receptionist", "traffic:desk"),
        ("consultant", "sales:my_day"),
        ("manager", "kpi:dashboard"),
        ("general_manager", "kpi:dashboard"),
        ("marketing", "kpi:dashboard"),
        ("crm", "crm:lists"),
        ("dcc", "traffic:leads"),
    ],
)
def test_each_role_lands_on_its_own_work(client, make_staff, store, role, landing):
    user = make_staff(f"u-{role}", role, store=store)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse(landing)


def test_a_group_analyst_lands_on_the_stores_side_by_side(client, make_staff):
    client.force_login(make_staff("u-group", "group"))
    assert client.get(reverse("home"))["Location"] == reverse("kpi:group")


def test_navigation_names_each_page_once(client, make_staff, store):
    client.force_login(make_staff("u-all", "manager", "crm", store=store))
    html = client.get(reverse("kpi:dashboard")).content.decode()
    assert html.count(f'href="{reverse("crm:lists")}"') == 1
