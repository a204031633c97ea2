"""The web layer (FastAPI): public privacy center, officer console, JSON API. Thin: parse,
call the domain, render."""
