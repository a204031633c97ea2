"""Pure legal rules: deadlines, holiday calendars, retention minima, article references.

No database, no web: plain values in, plain values out; bad input raises
`steward.errors.InvalidInput`. Each module cites its articles.

CLI-facing functions (the CLI itself is wired elsewhere, e.g. `steward dsr due`):

- `periods.due_date(received: date, months: int, *, country: str, subdiv: str | None = None)
  -> date` — Reg. 1182/71 Art. 3 period end, rolled to the next working day (Art. 3(4)).
- `periods.add_months(start: date, months: int) -> date` — same date, else month end.
- `periods.company_maximum(trigger: date, months: int) -> date` — never rolled forward.
- `periods.years_plus_current_year(trigger: date, years: int) -> date` — 31 December.
- `calendars.is_working_day(d: date, country: str, subdiv: str | None = None) -> bool`
- `calendars.next_working_day(d: date, country: str, subdiv: str | None = None) -> date`
- `calendars.working_day_on_or_after(d: date, country: str, subdiv: str | None = None) -> date`
- `dsr_deadlines.request_deadlines(received: date, country: str, *, subdiv=None,
  identity_requested_on: date | None = None, identity_received_on: date | None = None,
  pauses: Sequence[tuple[date, date | None]] = (), extended: bool = False,
  stop_the_clock: bool | None = None) -> RequestClock` — GDPR Art. 12(3)-(6).
- `dsr_deadlines.explain(clock: RequestClock) -> str` — plain-language text for letters.
- `dsr_deadlines.extension_allowed(received: date, notice_date: date, country: str,
  subdiv: str | None = None) -> bool` — Art. 12(3) notice within month one.
- `dsr_deadlines.refusal_deadline(received: date, country: str, subdiv=None) -> date`
- `dsr_deadlines.default_stop_the_clock(country: str) -> bool` — True only for GB.
- `breach_clock.breach_deadline(aware_at: datetime, hours: int = 72) -> datetime` — Art. 33(1),
  UTC, +72 h or the company's shorter promise.
- `breach_clock.to_local(dt: datetime, tz_name: str) -> datetime`
- `breach_clock.reminders(aware_at: datetime, hours: int = 72) -> list[Reminder]` — at 24, 48,
  66 hours, or `scaled_reminder_hours(hours)` for a shorter promise.
- `breach_clock.hours_left(now: datetime, deadline: datetime) -> float`
- `retention_periods.statutory_minimum_end(record_date: date, country: str, *,
  kind: str = "accounting", financial_year_end: tuple[int, int] = (12, 31),
  company_type: str = "private", declared: Sequence[StatutoryRetention] = ()) -> date` —
  `declared`: periods a policy declares for its storage countries (they replace the built-in
  ones of the same country and kind).
- `retention_periods.check_rule_period(period: RetentionPeriod, *, country: str,
  kind: str | None = "accounting", financial_year_end=(12, 31), company_type="private",
  needed: RetentionPeriod | None = None, declared=(), deleted_on_last_day=False)
  -> list[Finding]` — Art. 5(1)(e) / 17(3)(b).
- `articles.describe(ref: str) -> str`
"""
