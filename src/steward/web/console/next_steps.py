"""What the officer does next, for the dashboard: overdue requests first, then those due this
week, each naming its deadline (Art. 12(3), or the deadline to assist a controller under the
processing agreement, Art. 28(3)(e)); breaches on the 72-hour clock (Art. 33(1)); DPAs to
review (Art. 28(3)); and the charts of requests and consent over the last twelve months."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from steward.breaches import register as breaches
from steward.consent import figures as consent_figures
from steward.i18n import gettext as _
from steward.i18n import ngettext
from steward.policy.models import Policy
from steward.processors.alerts import controller_dpa_alerts, dpa_alerts
from steward.processors.register import register as processor_register
from steward.requests import figures, queue
from steward.requests.assisted_texts import controller_name
from steward.requests.tables import DsrRequest
from steward.store.sealing import Sealer
from steward.web.console.desk import type_labels
from steward.web.console.desk_charts import Chart, month_bars, pair_bars

SHOWN = 8  # items per group; the group links to the full list


@dataclass(frozen=True)
class Item:
    text: str
    link: str
    when: str
    tone: str = ""  # "bad", "warn" or ""
    deadline: str = ""  # which deadline `when` counts to, with its article


@dataclass(frozen=True)
class Group:
    title: str
    items: list[Item]
    more: int = 0  # items beyond those shown
    link: str | None = None
    empty: str = ""
    extra: list[str] = field(default_factory=list)


def _deadline(policy: Policy, r: DsrRequest, due: date) -> str:
    """Which deadline a row's date is: a request passed on by a controller is due on the
    deadline to assist it (Art. 28(3)(e)), which is not the month of Art. 12(3)."""
    if r.controller:
        return _("deadline to assist %(controller)s: %(day)s (GDPR Art. 28(3)(e))") % {
            "controller": controller_name(policy, r.controller),
            "day": due.isoformat(),
        }
    return _("answer due %(day)s (GDPR Art. 12(3))") % {"day": due.isoformat()}


def _requests(session: Session, policy: Policy, sealer: Sealer, today: date) -> list[Group]:
    types = type_labels()
    out = []
    for due, title, link, empty in (
        (
            "overdue",
            _("Overdue requests"),
            "/console/requests?due=overdue",
            _("No request is overdue."),
        ),
        (
            "week",
            _("Requests due this week"),
            "/console/requests?due=week",
            _("No request falls due in the next 7 days."),
        ),
    ):
        page = queue.search(
            session, policy, sealer, queue.Filters(due=due), per_page=SHOWN, today=today
        )
        items = []
        for row in page.rows:
            r = row.req
            left = row.days_left or 0
            when = (
                ngettext("%(num)s day overdue", "%(num)s days overdue", -left) % {"num": -left}
                if left < 0
                else ngettext("due in %(num)s day", "due in %(num)s days", left) % {"num": left}
            )
            items.append(
                Item(
                    f"#{r.id} {types.get(r.type, r.type)} \u2013 {r.name}",
                    f"/console/requests/{r.id}",
                    when,
                    "bad" if left < 0 else "warn",
                    _deadline(policy, r, row.due),
                )
            )
        out.append(Group(title, items, max(page.total - len(items), 0), link, empty))
    return out


def _breaches(session: Session, policy: Policy, now: datetime) -> Group:
    items = []
    for b in breaches.list_breaches(session, status="open"):
        c = breaches.clock(session, policy, b, now)
        if c.notified_at is not None or b.risk == "unlikely":
            continue
        h = int(abs(c.hours_left))
        when = (
            _("%(hours)s h left, by %(deadline)s")
            if c.hours_left >= 0
            else _("overdue by %(hours)s h, was due %(deadline)s")
        ) % {
            "hours": h,
            "deadline": f"{c.deadline_local:%Y-%m-%d %H:%M} {c.deadline_local.tzname()}",
        }
        items.append(
            (
                c.deadline,
                Item(
                    f"#{b.id} {b.title}",
                    f"/console/breaches/{b.id}",
                    when,
                    "bad" if c.hours_left < 24 else "warn",
                ),
            )
        )
    items.sort(key=lambda t: t[0])
    return Group(
        _("Breaches on the 72-hour clock (Art. 33(1))"),
        [i for _, i in items],
        link="/console/breaches",
        empty=_("No breach waits for the authority's notice."),
    )


def _dpas(session: Session, policy: Policy, today: date) -> Group:
    alerts = dpa_alerts(processor_register(session, policy), today) + controller_dpa_alerts(
        policy, today
    )
    items = [Item(a.name, "/console/processors", a.words(), a.level) for a in alerts]
    return Group(
        _("DPAs to review (Art. 28(3))"),
        items[:SHOWN],
        max(len(items) - SHOWN, 0),
        "/console/processors",
        _("Every DPA is signed and within its review date."),
    )


def groups(
    session: Session, policy: Policy, sealer: Sealer, now: datetime | None = None
) -> list[Group]:
    """The dashboard's to-do list, most urgent group first."""
    now = now or datetime.now(UTC)
    today = now.date()
    return [
        *_requests(session, policy, sealer, today),
        _breaches(session, policy, now),
        _dpas(session, policy, today),
    ]


def _label(m: date) -> str:
    return f"{m:%Y-%m}"


def charts(session: Session, policy: Policy, today: date | None = None) -> list[Chart]:
    """Requests opened and closed per month by type, on-time share, median days to answer,
    and consent given and withdrawn per purpose over the last twelve months."""
    months = figures.monthly(session, months=12, today=today)
    labels = [_label(m.start) for m in months]
    short = [f"{m.start:%m}" for m in months]
    types = type_labels()
    present = sorted({t for m in months for t in (*m.opened, *m.closed)})
    out = []
    for ident, title, attr in (
        ("opened", _("Requests received per month, by type"), "opened"),
        ("closed", _("Requests closed per month, by type"), "closed"),
    ):
        series = [
            (types.get(t, t), [float(getattr(m, attr).get(t, 0)) for m in months]) for t in present
        ]
        total = sum(sum(v) for _, v in series)
        desc = _("%(total)s requests from %(first)s to %(last)s.") % {
            "total": int(total),
            "first": labels[0],
            "last": labels[-1],
        }
        out.append(
            Chart(
                ident,
                title,
                month_bars(ident, title, desc, short, series),
                [_("Month"), *(n for n, _v in series)],
                [[labels[i], *(str(int(v[i])) for _n, v in series)] for i in range(len(months))],
            )
        )
    shares = [
        round(100 * m.on_time_share, 1) if m.on_time_share is not None else 0.0 for m in months
    ]
    answered = sum(m.answered for m in months)
    on_time = sum(m.on_time for m in months)
    title = _("Share answered on time")
    desc = _("%(on_time)s of %(answered)s answers given by the date due (Art. 12(3)).") % {
        "on_time": on_time,
        "answered": answered,
    }
    out.append(
        Chart(
            "ontime",
            title,
            month_bars("ontime", title, desc, short, [(title, shares)], unit="%", top=100.0),
            [_("Month"), _("Answered"), _("On time"), _("Share")],
            [
                [
                    labels[i],
                    str(m.answered),
                    str(m.on_time),
                    f"{shares[i]:.1f} %" if m.answered else "\u2013",
                ]
                for i, m in enumerate(months)
            ],
        )
    )
    medians = [m.median_days or 0.0 for m in months]
    title = _("Median days from receipt to answer")
    desc = _("The middle value of the days each answered request took, per month.")
    out.append(
        Chart(
            "median",
            title,
            month_bars("median", title, desc, short, [(title, medians)]),
            [_("Month"), _("Median days")],
            [
                [labels[i], f"{m.median_days:g}" if m.median_days is not None else "\u2013"]
                for i, m in enumerate(months)
            ],
        )
    )
    out.append(_consent_chart(session, policy))
    return out


def _consent_chart(session: Session, policy: Policy) -> Chart:
    series = consent_figures.daily(session, days=365)
    titles = {p.key: policy.text(p.title) for p in policy.consent.purposes}
    rows = [(titles.get(s.purpose, s.purpose), sum(s.given), sum(s.declined)) for s in series]
    given, withdrawn = _("given"), _("withdrawn or refused")
    title = _("Consent given and withdrawn per purpose, last 12 months")
    desc = "; ".join(f"{n}: {a} {given}, {b} {withdrawn}" for n, a, b in rows) or _(
        "No consent decisions in the last 12 months."
    )
    return Chart(
        "consent",
        title,
        pair_bars("consent", title, desc, rows, (given, withdrawn)),
        [_("Purpose"), _("Given"), _("Withdrawn or refused")],
        [[n, str(a), str(b)] for n, a, b in rows],
    )
