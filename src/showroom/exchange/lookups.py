"""The stores an import writes to, and each store's sources and staff by the names sheets use."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import tzinfo

from django.utils.translation import gettext as _

from showroom.core.commands import valid_codes
from showroom.core.text import fold
from showroom.customers.models import Source
from showroom.customers.selectors import sources_by_name
from showroom.exchange import advice
from showroom.exchange.parsing import Invalid
from showroom.exchange.report import ImportReport
from showroom.organization.choices import Role
from showroom.organization.models import Staff, Store

_STORE_CODE = re.compile(r"^[-a-zA-Z0-9_]+$")


class StoreLookups:
    """Sources and staff of one store by the names a sheet uses, loaded once per import."""

    def __init__(self, store: Store, *, create_staff: bool) -> None:
        self.store = store
        self.create_staff = create_staff
        self.new_staff: dict[str, Staff] = {}
        self._sources: dict[str, Source] | None = None
        self._staff: list[dict[str, list[Staff]]] | None = None

    @property
    def tz(self) -> tzinfo:
        return self.store.tz

    def load(self) -> None:
        """Loads the sources and staff now rather than at their first use."""
        self.source("")
        self._load_staff()

    def source(self, text: str) -> Source | None:
        if self._sources is None:
            self._sources = sources_by_name(self.store)
        return self._sources.get(fold(text))

    def _load_staff(self) -> list[dict[str, list[Staff]]]:
        if self._staff is None:
            by_code: dict[str, list[Staff]] = defaultdict(list)
            by_name: dict[str, list[Staff]] = defaultdict(list)
            by_username: dict[str, list[Staff]] = defaultdict(list)
            # Departed staff stay in old registers, so inactive staff are matched too.
            members = Staff.objects.filter(store=self.store) if self.store.pk else []
            for member in members:
                if member.staff_code:
                    by_code[fold(member.staff_code)].append(member)
                if member.full_name:
                    by_name[fold(member.full_name)].append(member)
                by_username[fold(member.username)].append(member)
            self._staff = [by_code, by_name, by_username]
        return self._staff

    def staff(self, text: str, role: str = Role.CONSULTANT) -> Staff | None:
        """By staff code, full name or username; namesakes: the one active member with `role`.
        With --create-staff an unknown name becomes a new member with `role`."""
        staff = self._load_staff()
        folded = fold(text)
        for index in staff:
            found = index.get(folded, [])
            if len(found) > 1:
                active = [m for m in found if m.is_active and m.has_role(role)]
                if len(active) != 1:
                    raise Invalid(_("Several staff members have this name; use the staff code"))
                found = active
            if found:
                return found[0]
        if not self.create_staff:
            return None
        member = self.new_staff.get(folded)
        if member is None:
            member = Staff(store=self.store, full_name=text[:50], roles=role, is_active=True)
            self.new_staff[folded] = member
        elif not member.has_role(role):
            member.roles = f"{member.roles},{role}"
        return member


def resolve_stores(spec: str, *, create: bool, report: ImportReport) -> dict[str, Store]:
    """--store: a code, codes separated by commas, or `all`. Unsaved stores are to be created.

    Keyed by the code in lower case: people type store codes in either case."""
    if spec.strip().lower() == "all":
        return {s.code.lower(): s for s in Store.objects.all()}
    codes = list(dict.fromkeys(c.strip() for c in spec.split(",") if c.strip()))
    stores: dict[str, Store] = {}
    for code in codes:
        found = Store.objects.filter(code__iexact=code).first()
        if found is not None:
            stores[code.lower()] = found
        elif not _STORE_CODE.match(code) or len(code) > 32:
            report.problem(None, None, "", code, _("Invalid store code"))
        elif create:
            stores[code.lower()] = Store(code=code, name=code)
            report.created_stores.append(code)
        else:
            reason = advice.unknown_store(valid_codes(Store.objects.all()))
            report.problem(None, None, "", code, reason)
    if not codes:
        report.problem(None, None, "", spec, _("No store given"))
    return stores


def save_new_staff(lookups: StoreLookups) -> None:
    """--create-staff: an active login that cannot log in until given a password."""
    if not lookups.new_staff:
        return
    prefix = f"{lookups.store.code.lower()}."
    taken = set(
        Staff.objects.filter(username__startswith=prefix).values_list("username", flat=True)
    )
    for member in lookups.new_staff.values():
        base = prefix + (re.sub(r"[^\w.@+-]", "", member.full_name)[:100] or "consultant")
        username, n = base, 1
        while username in taken:
            n += 1
            username = f"{base}{n}"
        taken.add(username)
        member.username = username
        member.store = lookups.store  # the store may itself have just been created
        member.set_unusable_password()
        member.save()
