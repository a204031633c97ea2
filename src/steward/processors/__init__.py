"""Processors and sub-processors (GDPR Art. 28) and the Art. 30(2) record.

- `register`: `register(session, policy)` (policy + recorded changes), `record_change`,
  `changes`, `effective_policy`
- `alerts`: `dpa_alerts(entries, today)` — missing or overdue DPAs, unsafe transfers
- `record`: `processor_record`, `export_processor_record` (Art. 30(2), CSV/JSON/XLSX)
"""
