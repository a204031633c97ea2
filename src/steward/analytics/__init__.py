"""Visit statistics that identify no one: a first-party script posts one small event per page
view; the server keeps hourly totals only (page views, visitors per day, pages, referring
domains, countries, device classes). Raw events are never written, and the daily salt that
makes the per-day visitor code lives in memory only (see `salt.py`)."""
