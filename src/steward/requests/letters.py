"""The answer letters, rendered from the policy in the subject's language: the letters' own
sentences through `steward.i18n` (gettext catalogs: en, da, nb, sv), the policy's texts through
`policy.text(value, lang)`.

Plain language: a letter names a system by its policy name and the data by what it is: a
table's `label` in the policy ("your orders"), else the names of its fields' data categories;
a field by its category's name. Table and column names never reach the person.

The letter's free fields (`greeting`, `note`) are written by an officer before sending
(`steward.requests.drafts`); every other sentence, with its article, comes from here.

`art15_information` gathers everything GDPR Art. 15(1)(a)-(h) and 15(2) require for the systems
where data was found; letters and the HTML report both use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from steward.errors import NotFound
from steward.i18n import N_, language, ngettext
from steward.i18n import gettext as _
from steward.legal import erasure_words
from steward.policy.models import Policy, Right, Text, TransferMechanism
from steward.policy.ropa import mechanism
from steward.requests.plan import activities_for
from steward.requests.recipients import name_in_words


def _phrases() -> dict[str, str]:
    """The letters' sentences in the language in force (`steward.i18n.language`)."""
    return {
        "greeting": _("Dear {name},"),
        "intro": _("We have handled your {right} request received on {received} ({article})."),
        "none": _("We hold no data about you in the systems we searched."),
        "not_searched": _(
            "We could not yet search: {systems}; we will write again when we have "
            "(GDPR Art. 15(1))."
        ),
        "found": _("We found data about you in: {systems}."),
        "package": _(
            "A copy of your data (in JSON and CSV, and a readable report) is in your download "
            "package. The first copy is free (GDPR Art. 12(5), 15(3))."
        ),
        "redacted": _(
            "Where free-text notes mention other people, we replaced their identity numbers, "
            "e-mail addresses and phone numbers with a tag such as [EMAIL] (GDPR Art. 15(4))."
        ),
        "copy_masked": _(
            "In your copy we replaced other people's identifiers with a tag such as [EMAIL], "
            "because a copy must not reveal other people's data (GDPR Art. 15(4)):"
        ),
        "copy_left_out": _(
            "We left out these details, because they are about other people, not you "
            "(GDPR Art. 15(4)):"
        ),
        "copy_own": _(
            "Your own identity numbers, e-mail addresses and phone numbers in the text are "
            "shown as they are ({n}): they are your data (GDPR Art. 15(1), 15(3))."
        ),
        "portable": _(
            "The package holds, in JSON and CSV, the data you provided to us, including what "
            "we recorded of your use of our services, where we process it under your consent "
            "or our contract with you (GDPR Art. 20(1)):"
        ),
        "portable_empty": _("nothing: none of the data we hold about you is of that kind"),
        "portable_left_out": _(
            "Left out of the package (you can still see it through a copy under GDPR Art. 15):"
        ),
        "left_out_basis": _(
            "processed neither under your consent nor under a contract with you "
            "(GDPR Art. 20(1)(a))"
        ),
        "left_out_derived": _("made by us, not provided by you (GDPR Art. 20(1))"),
        "left_out_staff": _(
            "written by our staff (notes, assessments), not provided by you (GDPR Art. 20(1))"
        ),
        "left_out_secret": _(
            "credentials such as a password hash are never handed out, for the security of "
            "your account"
        ),
        "erased": _("We erased your data (GDPR Art. 17):"),
        "kept": _(
            "We must keep some records, because the law requires it or a legal claim needs "
            "them (GDPR Art. 17(3)); they are restricted and used for nothing else:"
        ),
        "rectified": _("We corrected these details: {fields} (GDPR Art. 16)."),
        "restricted": _(
            "We have restricted the processing of your data: it is only stored until you tell "
            "us otherwise; we will tell you before the restriction is lifted (GDPR Art. 18)."
        ),
        "objection_dm": _(
            "We have recorded your objection to direct marketing and stopped it at once "
            "(GDPR Art. 21(3))."
        ),
        "objection_li_stop": _(
            "We have stopped processing based on our legitimate interests (GDPR Art. 21(1))."
        ),
        "objection_li_go": _(
            "We continue the processing because of compelling legitimate grounds "
            "(GDPR Art. 21(1)): {grounds}"
        ),
        "objection_li_assessed": _(
            "While we assessed your objection, your data in {systems} was restricted: only "
            "stored, not used (GDPR Art. 18(1)(d))."
        ),
        "objection_li_stopped": _(
            "What stopped: {purposes} (GDPR Art. 21(1)). We no longer process your data for it."
        ),
        "objection_li_continued": _(
            "What continues, on compelling legitimate grounds that override your interests "
            "(GDPR Art. 21(1)): {purposes}. Our grounds: {grounds}"
        ),
        "objection_li_other": _(
            "What continues, because it does not rely on our legitimate interests: {purposes}."
        ),
        "objection_li_lift": _(
            "The restriction during our assessment will be lifted; we tell you by e-mail "
            "before it is (GDPR Art. 18(3))."
        ),
        "art19_list": _(
            "Those who receive your data from us, and how we told them of the change "
            "(GDPR Art. 19):"
        ),
        "art19_sent": _("{name}: told on {date} {how}"),
        "art19_how_mail": _("by e-mail"),
        "art19_how_http": _("by a signed message to their system"),
        "art19_how_other": _("(confirmed by our privacy team)"),
        "art19_waived": _(
            "{name}: not told, because telling them proves impossible or involves "
            "disproportionate effort (GDPR Art. 19): {reason}"
        ),
        "art19_none": _(
            "No one outside our company receives your data from the systems concerned, so "
            "there was no one else to tell (GDPR Art. 19)."
        ),
        "complaint": _(
            "You may complain to a supervisory authority: {authority}, and seek a judicial "
            "remedy before the courts (GDPR Arts. 77-79)."
        ),
        "complaint_any": _("the supervisory authority of your country"),
        "complaint_or": _("{first} or {second}"),
        "refused": _("We cannot act on your request (GDPR Art. 12(4)). Our reason: {reason}"),
        "fee": _(
            "Your request is manifestly unfounded or excessive (GDPR Art. 12(5)); we will act "
            "on it only for a reasonable fee. Our reason: {reason}"
        ),
        "extension": _(
            "We need more time to answer your request: under GDPR Art. 12(3) we extend the "
            "period by two months, to {due}. Our reason: {reason}"
        ),
        "signoff": _("Kind regards,\n{controller}"),
        "where": _("{what} in {system}"),
        "other_records": _("other records"),
        "other_details": _("other details"),
        "no_automated": _(
            "No decisions based solely on automated processing are made (GDPR Art. 22)."
        ),
    }


def _kind_names() -> dict[str, str]:
    return {
        "DK_CPR": _("Danish CPR number"),
        "NO_FNR": _("Norwegian national identity number"),
        "NO_DNR": _("Norwegian D number"),
        "SE_PNR": _("Swedish personal identity number"),
        "SE_SAMORD": _("Swedish coordination number"),
        "FI_HETU": _("Finnish personal identity code"),
        "UK_NINO": _("UK National Insurance number"),
        "EMAIL": _("e-mail address"),
        "PHONE": _("phone number"),
        "WITHHELD": _("text withheld: it could not be checked"),
    }


def _right_names() -> dict[str, str]:
    return {
        "access": _("access"),
        "portability": _("data portability"),
        "erasure": _("erasure"),
        "rectification": _("rectification"),
        "restriction": _("restriction of processing"),
        "objection": _("objection"),
        "automated_decisions": _("automated decision-making"),
    }


# Each right's article of the GDPR; `ARTICLES` in English (titles), `article` in a letter's
# language ("GDPR art. 17").
ARTICLE_NUMBERS = {
    "access": "15",
    "portability": "20",
    "erasure": "17",
    "rectification": "16",
    "restriction": "18",
    "objection": "21",
    "automated_decisions": "22",
}
ARTICLE = N_("GDPR Art. {number}")
ARTICLES = {right: ARTICLE.format(number=n) for right, n in ARTICLE_NUMBERS.items()}


def article(type_: str, lang: str) -> str:
    """The right's article as the letter's language writes it."""
    with language(lang):
        return _(ARTICLE).format(number=ARTICLE_NUMBERS[type_])


def phrase(key: str, lang: str, **values: Any) -> str:
    """One of the letters' sentences in `lang`, with `values` put in."""
    with language(lang):
        return _phrases()[key].format(**values)


def right_name(type_: str, lang: str) -> str:
    with language(lang):
        return _right_names().get(type_, type_.replace("_", " "))


def kind_names(lang: str) -> dict[str, str]:
    with language(lang):
        return _kind_names()


# --- plain language: what the person reads instead of table and column names ---------------


def _table(policy: Policy, system: str, table: str) -> Any:
    return next((t for t in policy.system(system).tables if t.name == table), None)


def data_names(policy: Policy, system: str, table: str, fields: Iterable[str], lang: str) -> str:
    """The fields of a table as the person reads them: their data categories' names, once
    each; a field without a category is one of "other details"."""
    spec = _table(policy, system, table)
    by_name = {f.name: f for f in spec.fields} if spec is not None else {}
    names: list[str] = []
    other = False
    for f in fields:
        field = by_name.get(f)
        if field is not None and field.category:
            names.append(_category(policy, field.category, lang))
        else:
            other = True
    if other or not names:
        names.append(phrase("other_details", lang))
    return ", ".join(dict.fromkeys(names))


def _category(policy: Policy, key: str, lang: str) -> str:
    try:
        return policy.text(policy.data_category(key).name, lang)
    except NotFound:  # checked when the policy loads; never the key itself in a letter
        return phrase("other_details", lang)


def table_name(policy: Policy, system: str, table: str, lang: str) -> str:
    """What a table holds, for the person: the policy's `label` ("your orders"), else the
    names of its fields' data categories, else "other records"."""
    spec = _table(policy, system, table)
    if spec is not None and spec.label:
        return policy.text(spec.label, lang)
    if spec is not None:
        cats = [f.category for f in spec.fields if f.category]
        if cats:
            return ", ".join(dict.fromkeys(_category(policy, c, lang) for c in cats))
    return phrase("other_records", lang)


def system_name(policy: Policy, system: str, lang: str) -> str:
    return policy.text(policy.system(system).name, lang)


def where(policy: Policy, system: str, table: str, lang: str) -> str:
    """ "your orders in CRM" """
    return phrase(
        "where",
        lang,
        what=table_name(policy, system, table, lang),
        system=system_name(policy, system, lang),
    )


def _count(lang: str, n: int, op: str) -> str:
    with language(lang):
        if op == "delete":
            return ngettext("{n} record deleted", "{n} records deleted", n).format(n=n)
        if op == "update":
            return ngettext(
                "{n} record anonymised", "{n} records anonymised", n
            ).format(n=n)
        return ngettext("{n} record", "{n} records", n).format(n=n)


def package_contents(policy: Policy, result: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """What the package holds, for the officer's review: per system and table, its human
    name, the rows exported, the fields masked (Art. 15(4)) and left out."""
    copy = result.get("copy") or {}
    masked: dict[tuple[str, str], list[str]] = {}
    for item in copy.get("masked") or []:
        masked.setdefault((item["system"], item["table"]), []).append(item["field"])
    left: dict[tuple[str, str], list[str]] = {}
    for item in copy.get("left_out") or []:
        left.setdefault((item["system"], item["table"]), []).append(item["field"])
    out: list[dict[str, Any]] = []
    for system, tables in (result.get("exported") or {}).items():
        out.append(
            {
                "system": system_name(policy, system, lang),
                "key": system,
                "tables": [
                    {
                        "what": table_name(policy, system, t, lang),
                        "table": t,
                        "rows": n,
                        "masked": masked.get((system, t), []),
                        "left_out": left.get((system, t), []),
                    }
                    for t, n in tables.items()
                ],
            }
        )
    return out


def complaint_authority(policy: Policy, jurisdiction: str, lang: str = "en") -> tuple[str, str]:
    """Art. 15(1)(f), 12(4): the authority of the answering jurisdiction and, when the notice
    names another one for complaints (Art. 13(2)(d)), that one too, in `lang`."""
    codes = [jurisdiction]
    if policy.controller.complaint_authority:
        codes.append(policy.controller.complaint_authority)
    found = [policy.authorities[c] for c in dict.fromkeys(codes) if c in policy.authorities]
    if not found:
        return phrase("complaint_any", lang), ""
    names = [f"{a.name} ({a.complaint_url or a.website})" for a in found]
    joined = names[0]
    for name in names[1:]:
        joined = phrase("complaint_or", lang, first=joined, second=name)
    return joined, ""


def art15_information(
    policy: Policy, systems: Iterable[str], lang: str, jurisdiction: str
) -> dict[str, Any]:
    """GDPR Art. 15(1)(a)-(h) and 15(2), from the policy, for the systems holding data."""

    def t(value: Text | None) -> str:
        return policy.text(value, lang)

    acts = activities_for(policy, systems)
    purposes: dict[str, str] = {}
    categories: dict[str, str] = {}
    recipients: dict[str, str] = {}
    transfers: list[str] = []
    retention: list[str] = []
    sources: dict[str, str] = {}
    for act in acts:
        for pk in act.purposes:
            p = policy.purpose(pk)
            bases = ", ".join(f"Art. 6(1)({b.value})" for b in p.legal_bases)
            purposes[pk] = f"{t(p.title)} — {bases}"
        for ck in act.data_categories:
            categories[ck] = t(policy.data_category(ck).name)
        for r in act.recipients:
            if r.processor:
                proc = policy.processor(r.processor)
                recipients[proc.key] = f"{proc.name}: {proc.service} ({proc.country})"
                for sp in proc.sub_processors:
                    if sp.transfer_mechanism is not TransferMechanism.eea:
                        transfers.append(
                            f"{sp.name} ({sp.country}): {mechanism(sp.transfer_mechanism, lang)}"
                        )
            else:
                name = r.internal or r.third_party or ""
                recipients[name] = name
        for tr in act.transfers:
            transfers.append(
                f"{tr.recipient or tr.country} ({tr.country}): "
                f"{mechanism(tr.mechanism, lang)}" + (f" — {tr.document}" if tr.document else "")
            )
        for rk in act.retention:
            retention.append(t(policy.retention_rule(rk).description))
        if act.retention_description:
            retention.append(t(act.retention_description))
        for s in act.sources:
            sources[t(s)] = t(s)
    authority, website = complaint_authority(policy, jurisdiction, lang)
    rights = [
        f"{right_name(r.value, lang)} ({article(r.value, lang)})"
        for r in policy.rights.offered
    ]
    automated = t(policy.rights.automated_decisions_statement) or phrase("no_automated", lang)
    return {
        "purposes": list(purposes.values()),  # 15(1)(a)
        "categories": list(categories.values()),  # 15(1)(b)
        "recipients": list(recipients.values()),  # 15(1)(c)
        "retention": list(dict.fromkeys(retention)),  # 15(1)(d)
        "rights": rights,  # 15(1)(e)
        "complaint": authority,  # 15(1)(f)
        "sources": list(sources.values()),  # 15(1)(g)
        "automated_decisions": automated,  # 15(1)(h)
        "transfers": list(dict.fromkeys(transfers)),  # 15(2)
    }


def render_letter(
    policy: Policy,
    *,
    name: str,
    type_: str,
    received: str,
    lang: str,
    jurisdiction: str,
    result: dict[str, Any],
    greeting: str | None = None,
    note: str | None = None,
) -> str:
    """The answer letter (plain text) for a completed or refused request. `greeting` replaces
    the first line and `note` is a paragraph before the complaint statement: the free fields
    an officer may write (`steward.requests.drafts`); the rest is fixed."""
    right = right_name(type_, lang)
    lines = [
        greeting or phrase("greeting", lang, name=name),
        "",
        phrase("intro", lang, right=right, received=received, article=article(type_, lang)),
        "",
    ]
    if result.get("refused"):
        key = "fee" if result["refused"] == "fee" else "refused"
        lines.append(phrase(key, lang, reason=result.get("reason", "")))
    else:
        systems = result.get("systems_found") or []
        if type_ in (
            Right.access.value,
            Right.portability.value,
            Right.erasure.value,
            Right.rectification.value,
            Right.restriction.value,
        ):
            names = [policy.text(policy.system(s).name, lang) for s in systems]
            # Art. 15(1): "no data" is said only when every system was searched.
            unsearched = [policy.text(policy.system(s).name, lang)
                          for s in result.get("not_searched") or {}]
            if names:
                lines.append(phrase("found", lang, systems=", ".join(names)))
            elif not unsearched:
                lines.append(phrase("none", lang))
            if unsearched:
                lines.append(phrase("not_searched", lang, systems=", ".join(unsearched)))
        if type_ == Right.access.value:
            lines.append(phrase("package", lang))
        if type_ == Right.portability.value:
            lines += portability_lines(policy, result.get("portable") or {}, lang)
        if result.get("copy"):
            lines += copy_lines(policy, result["copy"], lang)
        elif result.get("redacted"):
            lines.append(phrase("redacted", lang))
        if type_ == Right.erasure.value and result.get("erased"):
            lines.append(phrase("erased", lang))
            lines += erased_lines(policy, result, lang)
        if result.get("kept"):
            lines.append(phrase("kept", lang))
            for k in result["kept"]:
                what = where(policy, k["system"], k["table"], lang)
                with language(lang):
                    why = erasure_words.in_language(k["reason"])
                lines.append(f"  - {what}: {_count(lang, k['rows'], 'keep')}: {why}")
        if result.get("rectified"):
            lines.append(phrase("rectified", lang, fields=rectified_names(
                policy, result["rectified"], lang)))
        if type_ == Right.restriction.value:
            lines.append(phrase("restricted", lang))
        if type_ == Right.objection.value:
            if result.get("scope") == "direct_marketing":
                lines.append(phrase("objection_dm", lang))
            elif result.get("objected"):
                lines += objection_lines(policy, result, lang)
            elif result.get("compelling_grounds"):
                lines.append(phrase("objection_li_go", lang, grounds=result["compelling_grounds"]))
            else:
                lines.append(phrase("objection_li_stop", lang))
        if type_ == Right.automated_decisions.value:
            lines.append(policy.text(policy.rights.automated_decisions_statement, lang))
        if "art19" in result:
            lines += art19_lines(result["art19"], lang, policy)
    if note:
        lines += ["", note]
    authority, website = complaint_authority(policy, jurisdiction, lang)
    lines += [
        "",
        phrase("complaint", lang, authority=authority, website=website),
        "",
        phrase("signoff", lang, controller=policy.controller.name),
    ]
    return "\n".join(lines)


def art19_lines(
    outcomes: list[dict[str, str]], lang: str, policy: Policy | None = None
) -> list[str]:
    """GDPR Art. 19: each recipient and what happened (the subject may ask who they are, so
    the letter always names them). Only what happened: a request completes only once every
    notification is sent or waived (`steward.requests.notifications`)."""
    done = [o for o in outcomes if o["status"] in ("sent", "waived")]
    if not done:
        return [phrase("art19_none", lang)]
    lines = [phrase("art19_list", lang)]
    for o in done:
        name = o["name"]
        if policy is not None and o.get("recipient"):
            # A sub-processor's name was stored with Steward's words in English.
            with language(lang):
                name = name_in_words(policy, o["recipient"], name)
        if o["status"] == "sent":
            how = phrase(
                f"art19_how_{o['channel']}"
                if o["channel"] in ("mail", "http")
                else "art19_how_other",
                lang,
            )
            lines.append(
                "  - " + phrase("art19_sent", lang, name=name, date=o["told_on"], how=how)
            )
        else:
            lines.append(
                "  - " + phrase("art19_waived", lang, name=name, reason=o["reason"])
            )
    return lines


def portability_lines(policy: Policy, portable: dict[str, Any], lang: str) -> list[str]:
    """GDPR Art. 20: what the package holds and what it leaves out, and why."""
    lines = [phrase("portable", lang)]
    included = portable.get("included") or []
    for t in included:
        what = where(policy, t["system"], t["table"], lang)
        fields = data_names(policy, t["system"], t["table"], t["fields"], lang)
        lines.append(f"  - {what}: {fields} ({_count(lang, t['rows'], 'keep')})")
    if not included:
        lines.append("  - " + phrase("portable_empty", lang))
    if portable.get("left_out"):
        lines.append(phrase("portable_left_out", lang))
        for g in portable["left_out"]:
            what = where(policy, g["system"], g["table"], lang)
            fields = data_names(policy, g["system"], g["table"], g["fields"], lang)
            reason = phrase(f"left_out_{g['reason']}", lang)
            lines.append(f"  - {what}: {fields}: {reason}")
    return lines


def erased_lines(policy: Policy, result: dict[str, Any], lang: str) -> list[str]:
    """Art. 17: per system and kind of data, how many records were deleted or anonymised.
    `result["erased"]` keys read "<system>.<table> deleted|anonymised" (`execute._erase`)."""
    lines: list[str] = []
    for key, n in sorted(result["erased"].items()):
        place, _sep, op = key.rpartition(" ")
        system, _dot, table = place.partition(".")
        what = where(policy, system, table, lang)
        lines.append(f"  - {what}: {_count(lang, n, 'delete' if op == 'deleted' else 'update')}")
    return lines


def rectified_names(policy: Policy, keys: Iterable[str], lang: str) -> str:
    """Art. 16: the corrected fields ("system.table.field") as the person reads them."""
    names: list[str] = []
    for key in keys:
        system, table, field = key.split(".", 2)
        names.append(
            phrase(
                "where",
                lang,
                what=data_names(policy, system, table, [field], lang),
                system=system_name(policy, system, lang),
            )
        )
    return ", ".join(dict.fromkeys(names))


def copy_lines(policy: Policy, copy: dict[str, Any], lang: str) -> list[str]:
    """Art. 15(4): exactly what the copy masks and leaves out, per system, kind of data and
    field, and that the subject's own identifiers stay (`redaction.CopyReport.to_json()`)."""
    kinds = kind_names(lang)

    def at(item: dict[str, Any]) -> str:
        fields = data_names(policy, item["system"], item["table"], [item["field"]], lang)
        return f"{where(policy, item['system'], item['table'], lang)} ({fields})"

    lines: list[str] = []
    if copy.get("masked"):
        lines.append(phrase("copy_masked", lang))
        for item in copy["masked"]:
            what = ", ".join(f"{n} × {kinds.get(k, k)}" for k, n in item["kinds"].items())
            lines.append(f"  - {at(item)}: {what}")
    if copy.get("left_out"):
        lines.append(phrase("copy_left_out", lang))
        for item in copy["left_out"]:
            lines.append(f"  - {at(item)}: {item['values']}")
    if copy.get("own_kept"):
        lines.append(phrase("copy_own", lang, n=copy["own_kept"]))
    return lines


def objection_lines(policy: Policy, result: dict[str, Any], lang: str) -> list[str]:
    """Art. 21(1): what was restricted while assessed, what stopped or continues and on what
    grounds, and the lift of the restriction (Art. 18(3))."""
    from steward.requests.objections import purpose_names

    objected = result["objected"]
    lines: list[str] = []
    if objected.get("systems"):
        names = ", ".join(policy.text(policy.system(k).name, lang) for k in objected["systems"])
        lines.append(phrase("objection_li_assessed", lang, systems=names))
    named = purpose_names(policy, objected.get("purposes", []), lang, objectable=True)
    grounds = result.get("compelling_grounds")
    if grounds:
        lines.append(phrase("objection_li_continued", lang, purposes=named, grounds=grounds))
    else:
        lines.append(phrase("objection_li_stopped", lang, purposes=named))
    if objected.get("continues"):
        other = purpose_names(policy, objected["continues"], lang, objectable=False)
        lines.append(phrase("objection_li_other", lang, purposes=other))
    if result.get("restriction_lifted"):
        lines.append(phrase("objection_li_lift", lang))
    return lines
