"""A CSV export written by several processes (PostgreSQL) gives the files of one process."""

import datetime as dt

import pytest
from django.db import connection

from showroom.exchange.exports import export
from showroom.organization.models import ExportRecord, Store
from tests import factories as f

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the export writes in parallel on PostgreSQL only"
)


# The forked processes read the rows on their own connections: they must be committed.
@pytest.mark.django_db(transaction=True)
def test_parts_written_side_by_side_make_the_same_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    stores = [f.StoreFactory(code=code, name=f"门店{code}") for code in ("C3", "A1", "B2")]
    for number, store in enumerate(stores):
        consultant = f.StaffFactory(username=f"c{number}", roles="consultant", store=store)
        customer = f.CustomerFactory(
            store=store, phone=f"1380000000{number}", consultant=consultant, name="=SUM(A1)"
        )
        for day in range(1, 4 + number):
            f.WalkInFactory(
                store=store,
                date=dt.date(2026, 10, day),
                arrived_at=dt.time(9 + day, 5),
                consultant=consultant,
                customer=customer,
                phone=customer.phone,
                notes="带孩子\n下次再来" if day == 2 else "",
            )
            f.CallFactory(
                store=store,
                date=dt.date(2026, 10, day),
                called_at=dt.time(8, day),
                consultant=consultant,
            )
    every = list(Store.objects.all())
    steps: dict[str, set[int]] = {"one": set(), "two": set()}
    one = export(
        tmp_path / "one",
        stores=every,
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 10, 31),
        progress=lambda done, total: steps["one"].add(total),
    )
    two = export(
        tmp_path / "two",
        stores=every,
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 10, 31),
        jobs=2,
        progress=lambda done, total: steps["two"].add(total),
    )
    assert steps == {"one": {10}, "two": {20}}  # ten forms, in two parts each
    assert [p.name for p in one.files] == [p.name for p in two.files]
    for a, b in zip(one.files, two.files, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == sorted(
        p.name for p in one.files
    )  # no part left behind
    assert one.rows == two.rows
    assert one.rows["walk_ins", "A1"] == 4 and one.rows["walk_ins", "C3"] == 3
    lines = (tmp_path / "two" / "walk_ins.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("store,") and [line[:2] for line in lines[1:3]] == ["A1", "A1"]
    assert ExportRecord.objects.filter(kind="walk_ins", format="csv").count() == 6
