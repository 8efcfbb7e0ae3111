"""The exchange forms as tables of columns: the one definition import and export share.

A form is a model plus an ordered tuple of `Column`s. The registers (walk-ins, calls) are here; the
customer card, activities, orders, losses and leads are in `forms.py`, which lists
every form in `FORMS`; the readers, the import and the export work from the tables alone.
Headers may be the Chinese or the English name (or an alias) in any order.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from showroom.exchange.report import Counts, ImportReport, Row
    from showroom.organization.models import Staff, Store

from django.db import models
from django.utils.translation import gettext_lazy as _

from showroom.core.tables import as_text
from showroom.exchange import carried
from showroom.exchange.parsing import (
    Choice,
    Count,
    Date,
    Grade,
    Invalid,
    Kind,
    Lookups,
    Phone,
    Ref,
    SourceRef,
    StaffRef,
    Text,
    Time,
    YesNo,
    normalized_phone,
)
from showroom.organization import access
from showroom.traffic.models import Call, WalkIn, stay_minutes


@dataclass(frozen=True)
class Column:
    name: str  # the English header and the key of the column
    zh: str  # the Chinese header
    kind: Kind
    required: bool = False
    field: str = ""  # the model field; the column's name unless given
    aliases: tuple[str, ...] = ()  # other headers dealers use for the same column
    identity: bool = False  # part of the row's natural key (see Form.import_key)
    width: int = 12  # exported column width, in characters
    # False: read and checked but not a field of the model (a card's phone on an order row).
    stored: bool = True
    # What the export writes, as a dotted path from the row (customer.phone); attr if empty.
    export_path: str = ""

    @cached_property
    def attr(self) -> str:
        return self.field or self.name

    def export_value(self, obj: Any) -> Any:
        if isinstance(self.kind, Ref):
            return self.kind.of(obj)
        value = obj
        for part in (self.export_path or self.attr).split("."):
            value = getattr(value, part) if value is not None else None
        return value

    def headers(self) -> tuple[str, ...]:
        return (self.name, self.zh, *self.aliases)


def json_string(text: str) -> str:
    """`text` as json.dumps(text, ensure_ascii=False) writes it (import_key_of)."""
    return str(encode_basestring(text))


def model_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field), (model, name)
    return found


def _text(model: type[models.Model], name: str) -> Text:
    return Text(model_field(model, name).max_length)


def _phone(model: type[models.Model]) -> Phone:
    return Phone(model_field(model, "phone").max_length)


def normalize_header(text: object) -> str:
    """'  Arrived At ' and 'arrived_at', '日期*' and '日期' are the same header."""
    return re.sub(r"[\s_\-*＊:：]+", "", str(text or "")).lower()


def normalize_sheet_name(text: str) -> str:
    """'展厅来店客户登记表（日）' -> '来店客户登记表'; 'Walk-ins' -> 'walkins'."""
    text = re.sub(r"[(（][^)）]*[)）]", "", text)
    return normalize_header(text).removeprefix("展厅")


class CustomRows(Protocol):
    """How a form whose rows are not one model's rows (targets: a store's and its
    consultants') is checked, written and exported; the cells are parsed as every form's."""

    def check(self, rows: list[Row], report: ImportReport) -> None: ...

    def write(self, rows: list[Row], *, user: Staff | None, dry_run: bool) -> Counts: ...

    def export_rows(
        self, *, stores: list[Store], start: date, end: date, user: Staff | None
    ) -> Iterable[Any]: ...

    def kept(self, store: Store) -> list[models.QuerySet[Any]]:
        """Every row the writer may create, change or remove for `store`, the models that others
        refer to first: the import center's journal compares them before and after a write."""
        ...


@dataclass(frozen=True)
class Form:
    name: str  # walk_ins: the CSV file name and the English sheet name
    zh: str  # 来店客户登记表: the Chinese sheet name
    model: type[models.Model]
    columns: tuple[Column, ...]
    date_field: str  # what an export's month range filters on
    order_by: tuple[str, ...]
    sheet_aliases: tuple[str, ...] = ()
    # Set on every imported row (imported register rows are complete records).
    constants: Mapping[str, Any] = field(default_factory=dict)
    # Link row.customer to the store's customer with the same normalized phone.
    links_customer: bool = False
    # Fields the model derives from others in save(), set before a bulk write.
    derive: Callable[[Any], None] | None = None
    derived_fields: tuple[str, ...] = ()
    # Which rows a user may export (showroom.organization.access); None: command line only.
    scope: Callable[[Any, Any], Any] | None = None
    # How an import finds the existing row: its import_key, or (cards) the normalized phone.
    key_field: str = "import_key"
    # A second row with the same natural key in one file is an error (cards: one per phone).
    unique: bool = False
    # An existing row is updated only by the cells a row gives (old cards are incomplete).
    sparse: bool = False
    # Rows refer to a customer card by this (phone) column: the card must exist.
    customer_column: str = ""
    # The import writes forms in this order: cards (0) before the rows that refer to them.
    write_order: int = 1
    # Checks across one row's cells; may set derived values. Returns (column name, reason)s.
    row_check: Callable[[dict[str, Any], set[str]], list[tuple[str, Any]]] | None = None
    # Adds what the export reads through export_path (annotations, select_related).
    export_query: Callable[[Any], Any] | None = None
    # The rows before (or just after) the range that the range's KPIs read (carried.py), of
    # the form's rows of the exported stores: (rows, stores, start, end) -> queries of their ids.
    before_range: Callable[[Any, list[Store], date, date], Any] | None = None
    # Rows that are not one model's rows: checked, written and exported by this instead.
    custom: CustomRows | None = None

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for column in self.columns:
            for header in column.headers():
                key = normalize_header(header)
                assert seen.setdefault(key, column.name) == column.name, (self.name, header)

    @cached_property
    def header_map(self) -> dict[str, Column]:
        return {normalize_header(h): c for c in self.columns for h in c.headers()}

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def matches_sheet_name(self, sheet_name: str) -> bool:
        name = normalize_sheet_name(sheet_name)
        return (
            any(normalize_sheet_name(n) in name for n in (self.zh, self.name, *self.sheet_aliases))
            if name
            else False
        )

    @cached_property
    def stored(self) -> tuple[str, ...]:
        return tuple(c.attr for c in self.columns if c.stored)

    @cached_property
    def has_version(self) -> bool:
        return any(f.name == "version" for f in self.model._meta.concrete_fields)

    @cached_property
    def ref(self) -> Ref:
        found = next(c.kind for c in self.columns if isinstance(c.kind, Ref))
        assert isinstance(found, Ref)
        return found

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def defaults(self) -> dict[str, Any]:
        """The value an empty or absent cell stands for: the model's default, else None or ''."""
        values: dict[str, Any] = {}
        for column in self.columns:
            if not column.stored:
                values[column.attr] = None
                continue
            found = model_field(self.model, column.attr)
            if found.has_default():
                values[column.attr] = found.get_default()
            elif found.null:
                values[column.attr] = None
            else:
                values[column.attr] = ""
        return values

    def natural_key(self, values: Mapping[str, Any]) -> tuple[str, ...]:
        return tuple(c.kind.key(values[c.attr]) for c in self.columns if c.identity)

    def import_key(self, store_code: str, natural: tuple[str, ...], occurrence: int) -> str:
        """The row's fingerprint: store, natural fields, and which of identical rows it is."""
        payload = json.dumps([self.name, store_code, *natural, occurrence], ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()

    def import_key_of(self, store_code: str) -> Callable[[Sequence[str], int], str]:
        """`import_key` for a store's rows from their natural parts already written as JSON
        strings (`json_string`): the same text json.dumps writes, without its call per row."""
        head = json.dumps([self.name, store_code], ensure_ascii=False)[:-1] + ", "
        sha256 = hashlib.sha256

        def key(encoded: Sequence[str], occurrence: int) -> str:
            payload = f"{head}{', '.join(encoded)}, {occurrence}]" if encoded else None
            if payload is None:
                return self.import_key(store_code, (), occurrence)
            return sha256(payload.encode()).hexdigest()

        return key


PHONE_ALIASES = ("电话", "手机", "手机号码", "客户电话")


class Vin(Text):
    """车架号: letters and digits, kept in capitals; old cards may hold only its last digits."""

    def __init__(self) -> None:
        super().__init__(17)

    def parse(self, raw: object, lookups: Lookups) -> str:
        text = "".join(as_text(raw).split()).upper()
        if not text.isalnum() or not text.isascii():
            raise Invalid(_("Invalid VIN: letters and digits only"))
        return super().parse(text, lookups)


VIN = Vin()


def customer_phone(**options: Any) -> Column:
    """The card a row belongs to, by its phone; exported from the card."""
    return Column(
        "phone",
        "联系电话",
        Phone(32, digits_required=True),
        required=True,
        identity=True,
        stored=False,
        export_path="customer.phone",
        aliases=PHONE_ALIASES,
        width=15,
        **options,
    )


def customer_name() -> Column:
    """For people reading the sheet; the import goes by the phone."""
    return Column(
        "name", "客户姓名", Text(50), stored=False, export_path="customer.name", aliases=("姓名",)
    )


# The store a row belongs to: written by multi-store exports, read by every form.
STORE_COLUMN = Column(
    "store", "门店", Text(32), aliases=("门店代码", "店代码", "store_code"), width=10
)


def ref_column(code: str, stamp: str = "created_at") -> Column:
    """编号 (ref): how an import finds again the row an export wrote (see parsing.Ref)."""
    return Column("ref", "编号", Ref(code, stamp), stored=False, aliases=("参考号",), width=16)


_VISIT = (("first", "首次", "初次", "新客"), ("repeat", "再次", "复访", "二次"))
SOURCE = SourceRef()
STAFF = StaffRef()
GRADE = Grade()
YES_NO = YesNo()
DATE = Date()
TIME = Time()


# An import derives the same few values for many rows (the times of a day).
_stay_minutes = functools.lru_cache(maxsize=1 << 16)(stay_minutes)


def _derive_register(row: Any) -> None:
    row.phone_norm = normalized_phone(row.phone)


def _derive_walk_in(row: Any) -> None:
    _derive_register(row)
    row.stay_minutes = _stay_minutes(row.arrived_at, row.left_at)


WALK_INS = Form(
    name="walk_ins",
    zh="来店客户登记表",
    model=WalkIn,
    sheet_aliases=("来店登记表", "来店登记", "walkin", "walk-ins"),
    date_field="date",
    order_by=("date", "arrived_at", "id"),
    constants={"completed": True},
    links_customer=True,
    derive=_derive_walk_in,
    derived_fields=("phone_norm", "stay_minutes"),
    scope=access.front_desk_rows,
    before_range=carried.walk_ins,
    columns=(
        Column("date", "日期", DATE, required=True, identity=True, aliases=("来店日期",)),
        Column(
            "arrived_at",
            "进店时间",
            TIME,
            required=True,
            identity=True,
            aliases=("来店时间", "到店时间"),
            width=10,
        ),
        Column("left_at", "离店时间", TIME, width=10),
        Column("party_size", "人数", Count(), aliases=("来店人数",), width=8),
        Column("visit_type", "来店类型", Choice(*_VISIT), required=True, width=10),
        Column("name", "客户姓名", _text(WalkIn, "name"), identity=True, aliases=("姓名",)),
        Column(
            "phone",
            "联系电话",
            _phone(WalkIn),
            identity=True,
            aliases=("电话", "手机", "手机号码"),
            width=15,
        ),
        Column("source", "信息来源", SOURCE, aliases=("来源",), width=14),
        Column("model", "意向车型", _text(WalkIn, "model"), aliases=("车型",)),
        Column("consultant", "销售顾问", STAFF, required=True, aliases=("接待顾问", "顾问")),
        Column("invited", "邀约到店", YES_NO, aliases=("邀约",), width=10),
        Column("test_drive", "试乘试驾", YES_NO, aliases=("试驾",), width=10),
        Column("quoted", "报价", YES_NO, width=8),
        Column("grade", "意向级别", GRADE, aliases=("级别",), width=10),
        Column("contact_kept", "是否留档", YES_NO, aliases=("留档",), width=10),
        Column("hand_card", "手卡号", _text(WalkIn, "hand_card"), aliases=("手卡",), width=10),
        Column("notes", "备注", _text(WalkIn, "notes"), width=30),
        ref_column("WI"),
    ),
)

CALLS = Form(
    name="calls",
    zh="来电客户登记表",
    model=Call,
    sheet_aliases=("来电登记表", "来电登记"),
    date_field="date",
    order_by=("date", "called_at", "id"),
    constants={"completed": True},
    links_customer=True,
    derive=_derive_register,
    derived_fields=("phone_norm",),
    scope=access.front_desk_rows,
    before_range=carried.calls,
    columns=(
        Column("date", "日期", DATE, required=True, identity=True, aliases=("来电日期",)),
        Column("called_at", "来电时间", TIME, required=True, identity=True, width=10),
        Column("call_type", "来电类型", Choice(*_VISIT), required=True, width=10),
        Column("name", "客户姓名", _text(Call, "name"), identity=True, aliases=("姓名",)),
        Column(
            "phone",
            "联系电话",
            _phone(Call),
            identity=True,
            aliases=("电话", "手机", "手机号码"),
            width=15,
        ),
        Column("source", "信息来源", SOURCE, aliases=("来源",), width=14),
        Column("model", "意向车型", _text(Call, "model"), aliases=("车型",)),
        Column("consultant", "销售顾问", STAFF, required=True, aliases=("接听顾问", "顾问")),
        Column("contact_kept", "是否留档", YES_NO, aliases=("留档",), width=10),
        Column(
            "appointment_date", "预约到店日期", DATE, aliases=("预约日期", "预约到店"), width=14
        ),
        Column("grade", "意向级别", GRADE, aliases=("级别",), width=10),
        Column("notes", "备注", _text(Call, "notes"), width=30),
        ref_column("CA"),
    ),
)
