"""Consent: a ledger with proof (Art. 7(1)), checks, double opt-in, one-click unsubscribe, the
preference center and the cookie banner's server side.

Modules: `tables` (storage), `subjects` (pseudonymous subject references), `purposes` (what
can be consented to, from the policy), `snapshots` (notices exactly as shown), `ledger` (the
hash-chained event log and current state), `state` (reads, expiry), `checks` (may we process?
with pluggable blockers), `tokens` (signed links), `optin`, `preferences`, `mails` (texts per
language in `mailtexts`), `banner`, `proof`, `figures`, `apikeys`.
"""
