"""The demo company's rows: one fictional customer (and everything about them) at a time.

`DemoRows` is deterministic for a seed and a reference date. Customer 1 is the showcase: a
person present in all five systems (crm, portal, support, newsletter, recruiting), with a
support message holding a CPR number and a sick-leave note.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

from steward.demo.people import (
    CITIES,
    STREETS,
    TITLES,
    Person,
    ascii_slug,
    company_name,
    make_person,
    message_body,
)

Rows = dict[str, list[dict[str, Any]]]  # "system.table" -> rows

DOC_NETS = ("192.0.2.", "198.51.100.", "203.0.113.")  # RFC 5737 documentation ranges
BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Version/18.1 Safari/605",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
)
PATHS = ("/dashboard", "/invoices", "/invoices/download", "/settings", "/campaigns", "/reports")
PRODUCTS = (("Campaign Suite", "CS"), ("Insight Reports", "IR"), ("Event Kit", "EK"),
            ("Social Planner", "SP"))
POSITIONS = ("Account manager", "Designer", "Backend developer", "Marketing consultant")
LISTS = ("product-news", "events", "tips")


class DemoRows:
    """Generates rows for customers 1..N in order; call `customer(i)` for each i once."""

    def __init__(self, *, seed: int, today: dt.date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.now = dt.datetime.combine(today, dt.time(12, 0))
        self.ids: dict[str, int] = defaultdict(int)

    # random.Random.randrange/choice are slow Python; these draw from random() directly and
    # make a million-customer demo about twice as fast to generate.
    def _below(self, n: int) -> int:
        return int(self.rng.random() * n)

    def _between(self, low: int, high: int) -> int:
        """Like randrange(low, high): low <= n < high."""
        return low + int(self.rng.random() * (high - low))

    def _pick(self, items: tuple[Any, ...] | list[Any]) -> Any:
        return items[int(self.rng.random() * len(items))]

    def _id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def _moment(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        span = max(int((end - start).total_seconds()), 1)
        return start + dt.timedelta(seconds=int(self.rng.random() * span))

    def customer(self, i: int) -> Rows:
        rng = self.rng
        out: Rows = defaultdict(list)
        person = make_person(rng, i)
        showcase = i == 1
        customer_no = f"PM-{100000 + i}"
        ended = None
        roll = rng.random()
        if not showcase and roll < 0.08:  # ended long ago: past "10 years + current year"
            ended = self._moment(dt.datetime(2010, 1, 1), dt.datetime(self.today.year - 12, 12, 1))
        elif not showcase and roll < 0.15:  # ended recently
            ended = self._moment(self.now - dt.timedelta(days=700), self.now - dt.timedelta(days=5))
        start_floor = dt.datetime(2008, 1, 1)
        created = self._moment(
            start_floor, (ended or self.now) - dt.timedelta(days=30)
        )
        postal, city = self._pick(CITIES[person.country])
        street = f"{self._pick(STREETS)} {self._between(1, 200)}"
        company = company_name(rng, person.country)
        out["crm.customers"].append({
            "id": i, "customer_no": customer_no, "company_name": company,
            "contact_name": person.name, "title": self._pick(TITLES), "email": person.email,
            "phone": person.phone, "street": street, "postal_code": postal, "city": city,
            "country": person.country, "created_at": created, "relationship_ended_at": ended,
            "processing_restricted": False,
        })
        last = ended or self.now
        for _ in range(self._below(3)):
            out["crm.contacts"].append({
                "id": self._id("contacts"), "customer_id": i,
                "channel": self._pick(("email", "phone", "meeting")),
                "subject": self._pick(("Renewal", "Onboarding", "Price question", "Follow-up")),
                "body": f"Talked with {person.first} about next quarter's campaigns.",
                "occurred_at": self._moment(created, last),
            })
        for _ in range(1 if showcase else self._between(1, 4)):
            self._order(out, i, person, company, street, postal, city, created, last)
        if showcase or rng.random() < 0.7:
            self._portal(out, person, customer_no, created, last)
        if showcase or rng.random() < 0.3:
            for n in range(1 if not showcase else 2):
                self._ticket(out, person, customer_no, created, last, showcase and n == 0)
        if showcase or rng.random() < 0.4:
            self.subscriber(out, person, created, "customer-portal")
        if showcase:
            self.application(out, person)
        return out

    def _order(self, out: Rows, cid: int, person: Person, company: str, street: str,
               postal: str, city: str, created: dt.datetime, last: dt.datetime) -> None:
        rng = self.rng
        oid = self._id("orders")
        product, code = self._pick(PRODUCTS)
        at = self._moment(created, last)
        total = 0  # in cents: integer arithmetic, one Decimal per value written
        for n in range(self._between(1, 4)):
            qty = self._between(1, 5)
            cents = self._between(200, 5000) * 25
            total += qty * cents
            out["crm.order_lines"].append({
                "id": self._id("order_lines"), "order_id": oid, "sku": f"{code}-{n + 1:03d}",
                "description": f"{product} module {n + 1}", "quantity": qty,
                "unit_price": Decimal(cents).scaleb(-2),
            })
        amount = Decimal(total).scaleb(-2)
        out["crm.orders"].append({
            "id": oid, "customer_id": cid, "order_no": f"O-{oid:07d}", "ordered_at": at,
            "product": product, "amount": amount,
        })
        if rng.random() < 0.9 or cid == 1:
            iid = self._id("invoices")
            out["crm.invoices"].append({
                "id": iid, "customer_id": cid, "order_id": oid, "invoice_no": f"F-{iid:07d}",
                "issued_at": at + dt.timedelta(days=self._below(10)),
                "amount": amount,
                "currency": {"DK": "DKK", "NO": "NOK", "SE": "SEK", "GB": "GBP"}[person.country],
                "billing_name": f"{company} att. {person.name}",
                "billing_address": f"{street}, {postal} {city}, {person.country}",
            })

    def _portal(self, out: Rows, person: Person, customer_no: str,
                created: dt.datetime, last: dt.datetime) -> None:
        rng = self.rng
        lid = self._id("logins")
        salt = rng.randbytes(8).hex()
        visits = sorted(self._moment(created, last) for _ in range(self._between(1, 6)))
        out["portal.logins"].append({
            "id": lid, "customer_no": customer_no,
            "username": f"{ascii_slug(person.first)}{person.serial}", "email": person.email,
            # A made-up hash of random bytes: no password exists for demo people.
            "password_hash": "$demo-sha256$" + salt + "$"
            + hashlib.sha256(salt.encode()).hexdigest(),
            "created_at": created, "last_login_at": visits[-1], "processing_restricted": False,
        })
        for at in visits:
            out["portal.activity_log"].append({
                "id": self._id("activity_log"), "login_id": lid, "at": at,
                "ip_address": self._pick(DOC_NETS) + str(self._between(1, 255)),
                "user_agent": self._pick(BROWSERS), "path": self._pick(PATHS),
            })

    def _ticket(self, out: Rows, person: Person, customer_no: str, created: dt.datetime,
                last: dt.datetime, sensitive: bool) -> None:
        rng = self.rng
        tid = self._id("tickets")
        opened = self._moment(created, last)
        closed = rng.random() < 0.7 and not sensitive
        closed_at = min(opened + dt.timedelta(days=self._between(1, 20)), self.now) if closed \
            else None  # never in the future
        out["support.tickets"].append({
            "id": tid, "customer_no": customer_no, "requester_email": person.email,
            "subject": self._pick(("Login problem", "Invoice address", "Question", "Export")),
            "status": "closed" if closed else "open", "opened_at": opened,
            "closed_at": closed_at, "processing_restricted": False,
        })
        lang = person.language if rng.random() < 0.7 else "en"
        for n in range(self._between(1, 4)):
            by_customer = n % 2 == 0
            body = message_body(
                rng, lang,
                sensitive=by_customer and (sensitive or rng.random() < 0.12),
                with_id=by_customer and ((sensitive and n == 0) or rng.random() < 0.06),
            ) if by_customer else "Thank you, we are looking into it. Best regards, ProMark Support"
            out["support.messages"].append({
                "id": self._id("messages"), "ticket_id": tid,
                "author": person.name if by_customer else "ProMark Support", "body": body,
                "sent_at": opened + dt.timedelta(hours=n * 5),
            })

    def subscriber(self, out: Rows, person: Person, since: dt.datetime, source: str) -> None:
        rng = self.rng
        chosen = [x for x in LISTS if rng.random() < 0.6] or [LISTS[0]]
        out["newsletter.subscribers"].append({
            "id": self._id("subscribers"), "email": person.email, "name": person.name,
            "subscribed_at": self._moment(since, self.now), "source": source,
            "lists": ",".join(chosen),
        })

    def application(self, out: Rows, person: Person) -> None:
        rng = self.rng
        aid = self._id("applications")
        applied = self._moment(self.now - dt.timedelta(days=900), self.now - dt.timedelta(days=3))
        roll = rng.random()
        if roll < 0.4:  # the process ended more than 3 months ago: due for deletion
            ended = min(applied + dt.timedelta(days=self._between(20, 60)),
                        self.now - dt.timedelta(days=100))
            ended = max(ended, applied)
        elif roll < 0.7:
            ended = self._moment(applied, self.now)
        else:
            ended = None
        outcome = None if ended is None else self._pick(("hired", "rejected", "withdrawn"))
        out["recruiting.applications"].append({
            "id": aid, "name": person.name, "email": person.email, "phone": person.phone,
            "position": self._pick(POSITIONS),
            "cv_text": f"{person.name}. Experience: marketing, campaign planning. "
                       f"Contact: {person.email}, {person.phone}.",
            "applied_at": applied, "process_ended_at": ended, "outcome": outcome,
        })
        for n in range(self._between(1, 4)):
            out["recruiting.application_emails"].append({
                "id": self._id("application_emails"), "application_id": aid,
                "subject": ("Your application", "Interview", "Our decision")[n],
                "body": f"Dear {person.first}, thank you for applying.",
                "sent_at": applied + dt.timedelta(days=n * 7),
            })

    def extra_person(self, serial: int) -> Person:
        return make_person(self.rng, serial)
