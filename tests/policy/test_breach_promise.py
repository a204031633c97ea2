"""Art. 33(1): the breach promise is one number. A promise text naming other hours than
`notify_within_hours`, or a reminder at or after the promised deadline, is an error at its
line; the notice states the promised hours."""

from __future__ import annotations

from policy.policy_helpers import BASE, one_problem
from steward.policy.loader import load_policy_text
from steward.policy.render import render_notice

PROMISE = """\
breaches:
  notify_within_hours: 48
  promise:
    en: We report breaches to the authority within {en} hours.
    da: Vi anmelder brud til myndigheden inden for {da} timer.
"""


def test_art_33_1_promise_text_must_match_the_hours() -> None:
    text = BASE + PROMISE.format(en=48, da=72)
    msg = one_problem(text, "  promise:")
    assert "'72 timer'" in msg and "notify_within_hours is 48" in msg and "Art. 33(1)" in msg
    policy = load_policy_text(BASE + PROMISE.format(en=48, da=48))
    notice = render_notice(policy, fmt="md")
    assert "within 48 hours of becoming aware" in notice
    assert "72" not in notice.split("## 7.")[1].split("## 8.")[0]


def test_art_33_1_reminders_before_the_promised_deadline() -> None:
    text = BASE + PROMISE.format(en=48, da=48) + "  reminder_hours: [24, 48]\n"
    msg = one_problem(text, "reminder_hours: [24, 48]")
    assert "reminder 48 hours after awareness" in msg
    policy = load_policy_text(BASE + PROMISE.format(en=48, da=48))
    assert policy.breaches.reminder_points == (16, 32, 44)
    assert load_policy_text(BASE).breaches.reminder_points == (24, 48, 66)
