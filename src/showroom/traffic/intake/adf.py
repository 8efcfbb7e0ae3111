"""ADF 1.0 (Auto-lead Data Format) leads, read as leniently as real senders write them.

    <?xml version="1.0"?><?adf version="1.0"?>
    <adf><prospect>
      <requestdate>2026-10-03T20:15:00+08:00</requestdate>
      <vehicle interest="buy"><year>2026</year><make>Hyundai</make><model>Tucson</model></vehicle>
      <customer><contact>
        <name part="first">Xiaoming</name><name part="last">Wang</name>
        <phone type="voice">138-0000-0001</phone><email>wang@example.com</email>
      </contact><comments>…</comments></customer>
      <vendor><vendorname>BJ01</vendorname></vendor>
      <provider><name part="full">Autohome</name></provider>
    </prospect></adf>

Senders leave parts out, add whitespace, namespaces and odd letter case, give several phones
and write dates every way; the XML is parsed with defusedxml (no entity expansion, no
external entities). Only the first <prospect> is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any

from defusedxml import DefusedXmlException, ElementTree
from django.utils.translation import gettext as _

from showroom.core.dates import parse_datetime
from showroom.customers.phones import normalize_phone

# Dates as ADF senders write them besides ISO 8601 (handled by parse_datetime).
_DATE_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y%m%dT%H%M%S",
    "%Y%m%d%H%M%S",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%S.%f",
)
_PHONE_PREFERENCE = ("cellphone", "mobile", "voice", "")
_CJK = re.compile(r"[\u3400-\u9fff]")


class AdfError(ValueError):
    pass


@dataclass
class AdfLead:
    requestdate: str = ""  # as written; read with parse_date in the store's zone
    name: str = ""
    phone: str = ""
    email: str = ""
    model: str = ""
    notes: list[str] = field(default_factory=list)
    vendor: list[str] = field(default_factory=list)  # vendor name and id, to find the store
    provider: str = ""


def _local(tag: Any) -> str:
    """'{http://…}Name' -> 'name': namespaces and letter case do not matter."""
    return str(tag).rsplit("}", 1)[-1].strip().lower() if isinstance(tag, str) else ""


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: Any, *path: str) -> Any:
    for name in path:
        if element is None:
            return None
        found = _children(element, name)
        element = found[0] if found else None
    return element


def _text(element: Any) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def _attr(element: Any, name: str) -> str:
    for key, value in element.attrib.items():
        if _local(key) == name:
            return str(value).strip().lower()
    return ""


def parse_date(text: str, tz: tzinfo) -> datetime | None:
    text = " ".join(text.split())
    if not text:
        return None
    found = parse_datetime(text, tz)
    if found is not None:
        return found
    for fmt in _DATE_FORMATS:
        try:
            moment = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return moment if moment.tzinfo else moment.replace(tzinfo=tz)
    try:
        moment = parsedate_to_datetime(text)  # RFC 2822: 'Sat, 03 Oct 2026 20:15:00 +0800'
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _name(contact: Any) -> str:
    parts: dict[str, str] = {}
    for element in _children(contact, "name"):
        text = _text(element)
        if text:
            parts.setdefault(_attr(element, "part") or "full", text)
    if "full" in parts:
        return parts["full"]
    first, last = parts.get("first", ""), parts.get("last", "")
    if _CJK.search(first + last):
        return f"{last}{first}"  # 王 + 小明 = 王小明
    return f"{first} {last}".strip()


def _phones(contact: Any) -> list[str]:
    found: list[tuple[int, int, str]] = []
    for index, element in enumerate(_children(contact, "phone")):
        text = _text(element)
        if not normalize_phone(text):
            continue
        kind = _attr(element, "type")
        rank = (
            _PHONE_PREFERENCE.index(kind) if kind in _PHONE_PREFERENCE else len(_PHONE_PREFERENCE)
        )
        if kind == "fax":
            rank += 10
        found.append((rank, index, text))
    return [text for _rank, _index, text in sorted(found)]


def parse_adf(data: bytes | str) -> AdfLead:
    """The lead of the first <prospect>; AdfError when the XML cannot be read or has none."""
    if isinstance(data, bytes):
        data = data.decode("utf-8-sig", errors="replace")
    text = data.strip().lstrip("\ufeff")
    if not text:
        raise AdfError(_("The request has no body"))
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise AdfError(_("The XML cannot be read: %(error)s") % {"error": exc}) from exc
    except DefusedXmlException as exc:
        raise AdfError(_("The XML is refused: it declares a DTD or entities")) from exc
    if _local(root.tag) == "prospect":
        prospect = root
    else:
        prospect = next((e for e in root.iter() if _local(e.tag) == "prospect"), None)
    if prospect is None:
        raise AdfError(_("No <prospect> in the ADF document"))
    lead = AdfLead()
    lead.requestdate = _text(_child(prospect, "requestdate"))
    contact = _child(prospect, "customer", "contact")
    if contact is not None:
        lead.name = _name(contact)
        phones = _phones(contact)
        if phones:
            lead.phone = phones[0]
            if len(phones) > 1:
                lead.notes.append(_("Other phones: %(phones)s") % {"phones": ", ".join(phones[1:])})
        lead.email = next((e for e in map(_text, _children(contact, "email")) if "@" in e), "")
    vehicle = _child(prospect, "vehicle")
    if vehicle is not None:
        year, make, model = (_text(_child(vehicle, part)) for part in ("year", "make", "model"))
        lead.model = model or make
        described = " ".join(p for p in (year, make, model) if p)
        if described and described != lead.model:
            lead.notes.append(_("Vehicle: %(vehicle)s") % {"vehicle": described})
    for comments in (_child(prospect, "customer", "comments"), _child(prospect, "comments")):
        if _text(comments):
            lead.notes.append(_text(comments))
    vendor = _child(prospect, "vendor")
    if vendor is not None:
        lead.vendor = [
            t for t in (_text(_child(vendor, "vendorname")), _text(_child(vendor, "id"))) if t
        ]
    provider = _child(prospect, "provider")
    if provider is not None:
        lead.provider = _text(_child(provider, "name")) or _text(_child(provider, "service"))
    return lead
