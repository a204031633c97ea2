"""Steward's translation catalogs: extract the texts, update the catalogs, check them.

    python scripts/translations.py extract [OUT.pot]  the texts marked in code and templates
    python scripts/translations.py update             add new texts to every catalog (empty),
                                                      set each text's `#:` places, keep every
                                                      translation (also ones added by hand)
    python scripts/translations.py check              exit 1, listing each text missing, empty
                                                      or fuzzy in a catalog, or whose
                                                      placeholders differ from the English
    python scripts/translations.py list               every text, one a line (what a policy's
                                                      `texts:` may override)

Where texts are marked is in `babel.cfg` at the repository's root. The catalogs are
`src/steward/i18n/locale/<lang>/LC_MESSAGES/steward.po`; `make translations` runs update then
check. Entries appended by hand (at the end of a file, in any order, even twice) are kept:
`update` merges them into place and keeps the first non-empty translation.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "src" / "steward" / "i18n" / "locale"
DOMAIN = "steward"
WIDTH = 100


def extract() -> Catalog:
    """Every text marked in the places `babel.cfg` names, with where it is used."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    template = Catalog(project="Steward", domain=DOMAIN, charset="utf-8")
    found = extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=DEFAULT_KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def catalog_paths() -> dict[str, Path]:
    """Each language's catalog, by language code."""
    return {
        p.name: p / "LC_MESSAGES" / f"{DOMAIN}.po"
        for p in sorted(LOCALES.iterdir())
        if (p / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()
    }


def read(path: Path, lang: str) -> Catalog:
    """A catalog as written, with a text entered twice kept once (its first translation)."""
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    # Babel keeps the first of two entries for one text; prefer a translated one.
    with path.open("rb") as f:
        for message in _entries(f.read()):
            current = catalog.get(message.id, message.context)
            if current is not None and not _translated(current) and _translated(message):
                current.string = message.string
                current.flags.discard("fuzzy")
    return catalog


def _entries(data: bytes) -> Iterable[Message]:
    # Each entry parsed on its own (split at blank lines), so duplicates are all seen.
    for chunk in data.split(b"\n\n"):
        if b"msgid" not in chunk or b'msgid ""\nmsgstr ""\n"' in chunk:
            continue
        for message in read_po(BytesIO(chunk), domain=DOMAIN):
            if message.id:
                yield message


def _translated(message: Message) -> bool:
    if message.fuzzy:
        return False
    if isinstance(message.string, (tuple, list)):
        return all(message.string)
    return bool(message.string)


def placeholders(text: str) -> frozenset[str]:
    """Named placeholders: `%(name)s` and `{name}` (the same rule as steward.i18n)."""
    from steward.i18n import placeholders as found

    return found(text)


def update(template: Catalog | None = None) -> list[Path]:
    """Merge the extracted texts into every catalog; returns the files written."""
    template = template or extract()
    written = []
    for lang, path in catalog_paths().items():
        original = path.read_bytes()
        catalog = read(path, lang)
        # A text whose code came back (or arrived in a merge after its translation) revives
        # its obsolete entry instead of starting empty.
        for key, message in list(catalog.obsolete.items()):
            if key in template and message.id not in catalog:
                catalog[message.id] = message
                del catalog.obsolete[key]
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        out = BytesIO()
        write_po(
            out,
            catalog,
            width=WIDTH,
            include_lineno=False,
            sort_by_file=False,
            ignore_obsolete=False,
            include_previous=False,
        )
        path.write_bytes(_header(original) + _body(out.getvalue()))
        written.append(path)
    return written


def _header(po: bytes) -> bytes:
    # The file's own header, kept as written (no dates or placeholders that change each run).
    return po.split(b"\n\n", 1)[0] + b"\n\n"


def _body(po: bytes) -> bytes:
    parts = po.split(b"\n\n", 1)
    return parts[1] if len(parts) > 1 else b""


def check(template: Catalog | None = None) -> list[str]:
    """One line per problem: a text missing, empty or fuzzy in a catalog, or translated with
    other placeholders than the English has. Empty when every catalog is complete."""
    template = template or extract()
    problems = []
    for lang, path in catalog_paths().items():
        catalog = read(path, lang)
        for message in template:
            if not message.id:
                continue
            where = message.locations[0][0] if message.locations else "?"
            found = catalog.get(message.id, message.context)
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            if found is None or not _translated(found):
                problems.append(
                    f"{lang}: {'missing' if found is None else 'untranslated'}: "
                    f"{ids[0]!r} ({where})"
                )
                continue
            strings = found.string if isinstance(found.string, (tuple, list)) else (found.string,)
            want = placeholders(ids[-1]) | placeholders(ids[0])
            for s in strings:
                if placeholders(str(s)) != want:
                    problems.append(f"{lang}: placeholders differ: {ids[0]!r} -> {s!r} ({where})")
    return problems


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "extract":
        out = BytesIO()
        write_po(out, extract(), width=WIDTH, include_lineno=False)
        if len(argv) > 2:
            Path(argv[2]).write_bytes(out.getvalue())
        else:
            sys.stdout.write(out.getvalue().decode("utf-8"))
        return 0
    if command == "update":
        for path in update():
            print(f"updated {path.relative_to(ROOT)}")
        return 0
    if command == "check":
        problems = check()
        for line in problems:
            print(line)
        if problems:
            print(
                f"{len(problems)} problem(s); add the translations, then "
                "`python scripts/translations.py check`",
                file=sys.stderr,
            )
            return 1
        print("every catalog is complete")
        return 0
    if command == "list":
        for message in extract():
            if message.id:
                print(message.id[0] if isinstance(message.id, tuple) else message.id)
        return 0
    print("usage: translations.py extract [OUT.pot] | update | check | list", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
