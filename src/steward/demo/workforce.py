"""The demo company's product: a workforce-management system it runs for its customers.

ProMark processes this data as a *processor* (GDPR Art. 28): the customer companies are the
controllers of their employees' shifts, absence and wages. One schema holds every customer
company, each row carrying its `tenant_id` (the multi-tenant layout the policy declares under
its controllers). The people are fictional (example.com/.net/.org addresses, generated names).
It is not one of the company's own systems: ProMark's own requests never search it; a
customer's assisted request searches that customer's rows only.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
)

from steward.demo.people import ascii_slug, company_name, make_person

ABSENCE_REASONS = ("sick", "sick_child", "vacation", "parental_leave", "training")
ROLES = ("Warehouse associate", "Shift lead", "Driver", "Cashier", "Cleaner", "Planner")


def _schema() -> MetaData:
    md = MetaData()
    Table("tenants", md,
          Column("id", Integer, primary_key=True),
          Column("name", String(200), nullable=False),
          Column("country", String(2), nullable=False),
          Column("admin_email", String(254), nullable=False))
    Table("employees", md,
          Column("id", Integer, primary_key=True),
          Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False, index=True),
          Column("employee_no", String(20), nullable=False),
          Column("name", String(200), nullable=False),
          Column("email", String(254), nullable=False, index=True),
          Column("phone", String(30)),
          Column("role", String(60)),
          Column("hired_on", Date, nullable=False),
          sa.UniqueConstraint("tenant_id", "employee_no", name="uq_employees_tenant_no"))
    Table("shifts", md,
          Column("id", Integer, primary_key=True),
          Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False, index=True),
          Column("employee_id", Integer, ForeignKey("employees.id"), nullable=False,
                 index=True),
          Column("day", Date, nullable=False),
          Column("starts", String(5), nullable=False),
          Column("ends", String(5), nullable=False))
    Table("absences", md,
          Column("id", Integer, primary_key=True),
          Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False, index=True),
          Column("employee_id", Integer, ForeignKey("employees.id"), nullable=False,
                 index=True),
          Column("first_day", Date, nullable=False),
          Column("last_day", Date, nullable=False),
          # Sickness is health data (Art. 9(1)): the customer decides, ProMark only stores.
          Column("reason", String(30), nullable=False))
    Table("wages", md,
          Column("id", Integer, primary_key=True),
          Column("tenant_id", Integer, ForeignKey("tenants.id"), nullable=False, index=True),
          Column("employee_id", Integer, ForeignKey("employees.id"), nullable=False,
                 index=True),
          Column("month", String(7), nullable=False),
          Column("gross", Numeric(10, 2), nullable=False),
          Column("currency", String(3), nullable=False))
    return md


WORKFORCE = _schema()
CURRENCY = {"DK": "DKK", "NO": "NOK", "SE": "SEK", "GB": "GBP"}


@dataclass(frozen=True)
class WorkforceSummary:
    counts: dict[str, int]  # table -> rows
    tenants: dict[int, str]  # tenant id -> company name


def build_workforce(url: str, *, tenants: int = 3, employees: int = 25, seed: int = 1,
                    today: dt.date | None = None, first_tenant: int = 1,
                    first_serial: int = 900_000,
                    companies: dict[int, tuple[str, str]] | None = None) -> WorkforceSummary:
    """Create the tables (if missing) in the database at `url` and fill `tenants` customer
    companies with `employees` employees each, their last eight weeks of shifts, absences
    and six months of wages. Ids start after `first_tenant`/`first_serial`, so a second
    build into another database (a per-tenant layout) never reuses a person. `companies`
    (tenant id -> (name, country)) names the tenants instead, e.g. after the controllers a
    policy declares with those tenant values."""
    today = today or dt.date.today()
    rng = random.Random(seed)
    engine = sa.create_engine(url)
    counts = {t: 0 for t in WORKFORCE.tables}
    names: dict[int, str] = {}
    try:
        WORKFORCE.create_all(engine)
        with engine.begin() as conn:
            ids = {t: int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(
                WORKFORCE.tables[t].c.id), 0))).scalar_one()) for t in WORKFORCE.tables}
            rows: dict[str, list[dict[str, object]]] = {t: [] for t in WORKFORCE.tables}

            def add(table: str, row: dict[str, object]) -> int:
                ids[table] += 1
                rows[table].append({"id": ids[table], **row})
                return ids[table]

            serial = first_serial
            chosen = sorted(companies) if companies else [
                first_tenant + n for n in range(tenants)]
            for tenant_id in chosen:
                country = rng.choice(("DK", "NO", "SE", "GB"))
                name = company_name(rng, country)
                if companies:
                    name, country = companies[tenant_id]
                names[tenant_id] = name
                domain = f"{ascii_slug(name).replace('.', '-')}.example.com"
                rows["tenants"].append({"id": tenant_id, "name": name, "country": country,
                                        "admin_email": f"hr@{domain}"})
                for e in range(employees):
                    serial += 1
                    person = make_person(rng, serial, domain)
                    emp = add("employees", {
                        "tenant_id": tenant_id, "employee_no": f"E{e + 1:04d}",
                        "name": person.name, "email": person.email, "phone": person.phone,
                        "role": rng.choice(ROLES),
                        "hired_on": today - dt.timedelta(days=rng.randint(60, 3000))})
                    for week in range(8):
                        for d in rng.sample(range(7), 4):
                            start = rng.choice((6, 7, 14, 22))
                            add("shifts", {
                                "tenant_id": tenant_id, "employee_id": emp,
                                "day": today - dt.timedelta(days=7 * week + d + 1),
                                "starts": f"{start:02d}:00",
                                "ends": f"{(start + 8) % 24:02d}:00"})
                    for _ in range(rng.randint(0, 3)):
                        first = today - dt.timedelta(days=rng.randint(1, 180))
                        add("absences", {
                            "tenant_id": tenant_id, "employee_id": emp, "first_day": first,
                            "last_day": first + dt.timedelta(days=rng.randint(0, 9)),
                            "reason": rng.choice(ABSENCE_REASONS)})
                    for m in range(1, 7):
                        month = (today.replace(day=1) - dt.timedelta(days=28 * m))
                        add("wages", {
                            "tenant_id": tenant_id, "employee_id": emp,
                            "month": month.strftime("%Y-%m"),
                            "gross": f"{rng.randint(22000, 48000)}.00",
                            "currency": CURRENCY[country]})
            for table in WORKFORCE.sorted_tables:
                if rows[table.name]:
                    conn.execute(table.insert(), rows[table.name])
                    counts[table.name] = len(rows[table.name])
    finally:
        engine.dispose()
    return WorkforceSummary(counts, names)
