"""Breaches (GDPR Arts. 33-34): the register (Art. 33(5)), the 72-hour clock, the risk
assessment and the duties it creates, the notices, the affected people and their letters.

- `register`: `register_breach`, `update_breach` (earlier versions kept), `clock`, queries
- `assessment`: `assess`, `duties`/`tasks_for`, `competent_authorities`, `close_breach`
- `notifications`: `record_notification` (phases, Art. 33(4); late reasons, Art. 33(1))
- `notices`: `authority_notice` (Art. 33(3)(a)-(d)), `subject_letter` (Art. 34(2))
- `affected`: `find_affected`, `record_lookup`, `send_letters`
- `reminders`: `due_reminders(session, now)`, `send_due_reminders(session, settings, policy,
  now)` — for the jobs engine to run hourly
"""
