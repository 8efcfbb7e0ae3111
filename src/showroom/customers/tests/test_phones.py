import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from showroom.customers.phones import normalize_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+86 138-0000-0004", "13800000004"),
        ("0086 13800000004", "13800000004"),
        ("8613800000004", "13800000004"),
        ("138 0000 0004", "13800000004"),
        (13800000004.0, "13800000004"),
        ("010-6512 3456", "01065123456"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_phone(raw, expected):
    assert normalize_phone(raw) == expected


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_formatting_never_changes_the_number(number):
    spaced = f"+86 {number[:3]}-{number[3:7]}-{number[7:]}"
    assert normalize_phone(spaced) == normalize_phone(number) == number


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("+86 18284993428", "182 8499 3428"),
        ("18395060585", "183 9506 0585"),
        ("183****0585", "183 **** 0585"),
        ("010-6512 3456", "010-6512 3456"),
        ("", ""),
        (None, ""),
    ],
)
def test_the_phone_filter_shows_one_way(shown, expected):
    assert Template("{% load phones %}{{ p|phone }}").render(Context({"p": shown})) == expected
