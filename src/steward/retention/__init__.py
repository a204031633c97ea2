"""Retention: rules → plans → batched, resumable sweeps over the company's systems.

- `cutoff`: the date before which a rule's trigger means "expired" (LEGAL.md, Retention).
- `rules`: a rule resolved against its system (tables, join path, statutory checks).
- `plan`: the dry run (counts, oldest, samples, statements with placeholders).
- `sweep`: the batched, resumable, idempotent execution; `locks`: one sweep per rule.
- `holds`: legal holds; `evidence`: runs and their audit evidence.
- `plancache`: each rule's last plan, stored so the console reads counts without querying.
- `redact` rules use the scanner's own in-place redaction (`steward.scanner.inplace`).
"""
