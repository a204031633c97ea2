"""The answer letters, rendered from the policy in the subject's language where the policy has
it (phrases here in English and Danish; policy texts through `policy.text(value, lang)`).

`art15_information` gathers everything GDPR Art. 15(1)(a)-(h) and 15(2) require for the systems
where data was found; letters and the HTML report both use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from steward.policy.models import Policy, Right, Text, TransferMechanism
from steward.requests.plan import activities_for

PHRASES: dict[str, dict[str, str]] = {
    "greeting": {"en": "Dear {name},", "da": "Kære {name},"},
    "intro": {
        "en": "We have handled your {right} request received on {received} ({article}).",
        "da": "Vi har behandlet din anmodning om {right}, modtaget {received} ({article}).",
    },
    "none": {
        "en": "We hold no data about you in the systems we searched.",
        "da": "Vi har ingen oplysninger om dig i de systemer, vi har søgt i.",
    },
    "not_searched": {
        "en": "We could not yet search: {systems}; we will write again when we have "
        "(GDPR Art. 15(1)).",
        "da": "Vi har endnu ikke kunnet søge i: {systems}; vi skriver igen, når vi har "
        "(GDPR art. 15(1)).",
    },
    "found": {
        "en": "We found data about you in: {systems}.",
        "da": "Vi fandt oplysninger om dig i: {systems}.",
    },
    "package": {
        "en": "A copy of your data (JSON and CSV per table, and a readable report) is "
        "in your download package. The first copy is free (GDPR Art. 12(5), 15(3)).",
        "da": "En kopi af dine oplysninger (JSON og CSV pr. tabel og en læsbar rapport) "
        "findes i din downloadpakke. Den første kopi er gratis (GDPR art. 12(5), 15(3)).",
    },
    "redacted": {
        "en": "Where free-text notes mention other people, we replaced their identity numbers, "
        "e-mail addresses and phone numbers with a tag such as [EMAIL] (GDPR Art. 15(4)).",
        "da": "Hvor fritekst nævner andre personer, har vi erstattet deres personnumre, "
        "e-mailadresser og telefonnumre med en markering som [EMAIL] (GDPR art. 15(4)).",
    },
    "portable": {
        "en": "The package holds the data you provided to us, processed under your "
        "consent or our contract, in JSON and CSV (GDPR Art. 20).",
        "da": "Pakken indeholder de oplysninger, du har givet os, behandlet på grundlag "
        "af samtykke eller kontrakt, i JSON og CSV (GDPR art. 20).",
    },
    "erased": {
        "en": "We erased your data: {counts} (GDPR Art. 17).",
        "da": "Vi har slettet dine oplysninger: {counts} (GDPR art. 17).",
    },
    "kept": {
        "en": "We must keep some records because the law requires it; they are restricted "
        "and used for nothing else:",
        "da": "Nogle oplysninger skal vi opbevare, fordi loven kræver det; de er begrænset "
        "og bruges ikke til andet:",
    },
    "rectified": {
        "en": "We corrected these fields: {fields} (GDPR Art. 16).",
        "da": "Vi har rettet disse felter: {fields} (GDPR art. 16).",
    },
    "restricted": {
        "en": "We have restricted the processing of your data: it is only stored "
        "until you tell us otherwise; we will tell you before the restriction "
        "is lifted (GDPR Art. 18).",
        "da": "Vi har begrænset behandlingen af dine oplysninger: de opbevares kun; "
        "vi giver dig besked, før begrænsningen ophæves (GDPR art. 18).",
    },
    "objection_dm": {
        "en": "We have recorded your objection to direct marketing and stopped it "
        "at once (GDPR Art. 21(3)).",
        "da": "Vi har registreret din indsigelse mod direkte markedsføring og "
        "stoppet den straks (GDPR art. 21(3)).",
    },
    "objection_li_stop": {
        "en": "We have stopped processing based on our legitimate interests (GDPR Art. 21(1)).",
        "da": "Vi har stoppet behandlingen på grundlag af vores legitime "
        "interesser (GDPR art. 21(1)).",
    },
    "objection_li_go": {
        "en": "We continue the processing because of compelling legitimate "
        "grounds (GDPR Art. 21(1)): {grounds}",
        "da": "Vi fortsætter behandlingen på grund af tvingende legitime "
        "grunde (GDPR art. 21(1)): {grounds}",
    },
    "recipients": {
        "en": "We have told these recipients of the change (GDPR Art. 19): {names}.",
        "da": "Vi har underrettet disse modtagere om ændringen (GDPR art. 19): {names}.",
    },
    "complaint": {
        "en": "You may complain to a supervisory authority: {authority}, "
        "and seek a judicial remedy before the courts (GDPR Arts. 77-79).",
        "da": "Du kan klage til en tilsynsmyndighed: {authority} og "
        "indbringe sagen for domstolene (GDPR art. 77-79).",
    },
    "refused": {
        "en": "We cannot act on your request (GDPR Art. 12(4)). Our reason: {reason}",
        "da": "Vi kan ikke imødekomme din anmodning (GDPR art. 12(4)). Vores begrundelse: {reason}",
    },
    "fee": {
        "en": "Your request is manifestly unfounded or excessive (GDPR Art. 12(5)); we "
        "will act on it only for a reasonable fee. Our reason: {reason}",
        "da": "Din anmodning er åbenbart grundløs eller overdreven (GDPR art. 12(5)); vi "
        "behandler den kun mod et rimeligt gebyr. Vores begrundelse: {reason}",
    },
    "extension": {
        "en": "We need more time to answer your request: under GDPR Art. 12(3) we "
        "extend the period by two months, to {due}. Our reason: {reason}",
        "da": "Vi har brug for mere tid til at besvare din anmodning: efter GDPR "
        "art. 12(3) forlænger vi fristen med to måneder til {due}. Vores "
        "begrundelse: {reason}",
    },
    "signoff": {"en": "Kind regards,\n{controller}", "da": "Venlig hilsen\n{controller}"},
}

RIGHT_NAMES = {
    "en": {
        "access": "access",
        "portability": "data portability",
        "erasure": "erasure",
        "rectification": "rectification",
        "restriction": "restriction of processing",
        "objection": "objection",
        "automated_decisions": "automated decision-making",
    },
    "da": {
        "access": "indsigt",
        "portability": "dataportabilitet",
        "erasure": "sletning",
        "rectification": "berigtigelse",
        "restriction": "begrænsning af behandling",
        "objection": "indsigelse",
        "automated_decisions": "automatiske afgørelser",
    },
}
ARTICLES = {
    "access": "GDPR Art. 15",
    "portability": "GDPR Art. 20",
    "erasure": "GDPR Art. 17",
    "rectification": "GDPR Art. 16",
    "restriction": "GDPR Art. 18",
    "objection": "GDPR Art. 21",
    "automated_decisions": "GDPR Art. 22",
}


def phrase(key: str, lang: str, **values: Any) -> str:
    texts = PHRASES[key]
    return texts.get(lang, texts["en"]).format(**values)


def complaint_authority(policy: Policy, jurisdiction: str) -> tuple[str, str]:
    """Art. 15(1)(f), 12(4): the authority of the answering jurisdiction and, when the notice
    names another one for complaints (Art. 13(2)(d)), that one too."""
    codes = [jurisdiction]
    if policy.controller.complaint_authority:
        codes.append(policy.controller.complaint_authority)
    found = [policy.authorities[c] for c in dict.fromkeys(codes) if c in policy.authorities]
    if not found:
        return "the supervisory authority of your country", ""
    names = " or ".join(f"{a.name} ({a.complaint_url or a.website})" for a in found)
    return names, ""


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
                        transfers.append(f"{sp.name} ({sp.country}): {sp.transfer_mechanism.value}")
            else:
                name = r.internal or r.third_party or ""
                recipients[name] = name
        for tr in act.transfers:
            transfers.append(
                f"{tr.recipient or tr.country} ({tr.country}): "
                f"{tr.mechanism.value}" + (f" — {tr.document}" if tr.document else "")
            )
        for rk in act.retention:
            retention.append(t(policy.retention_rule(rk).description))
        if act.retention_description:
            retention.append(t(act.retention_description))
        for s in act.sources:
            sources[t(s)] = t(s)
    authority, website = complaint_authority(policy, jurisdiction)
    rights = [
        f"{RIGHT_NAMES.get(lang, RIGHT_NAMES['en'])[r.value]} ({ARTICLES[r.value]})"
        for r in policy.rights.offered
    ]
    automated = t(policy.rights.automated_decisions_statement) or (
        "No decisions based solely on automated processing are made (GDPR Art. 22)."
    )
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
) -> str:
    """The answer letter (plain text) for a completed or refused request."""
    right = RIGHT_NAMES.get(lang, RIGHT_NAMES["en"]).get(type_, type_)
    lines = [
        phrase("greeting", lang, name=name),
        "",
        phrase("intro", lang, right=right, received=received, article=ARTICLES[type_]),
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
            lines.append(phrase("portable", lang))
        if result.get("redacted"):
            lines.append(phrase("redacted", lang))
        if type_ == Right.erasure.value and result.get("erased"):
            counts = ", ".join(f"{k}: {v}" for k, v in sorted(result["erased"].items()))
            lines.append(phrase("erased", lang, counts=counts))
        if result.get("kept"):
            lines.append(phrase("kept", lang))
            for k in result["kept"]:
                lines.append(f"  - {k['system']}.{k['table']}: {k['rows']} — {k['reason']}")
        if result.get("rectified"):
            lines.append(phrase("rectified", lang, fields=", ".join(result["rectified"])))
        if type_ == Right.restriction.value:
            lines.append(phrase("restricted", lang))
        if type_ == Right.objection.value:
            if result.get("scope") == "direct_marketing":
                lines.append(phrase("objection_dm", lang))
            elif result.get("compelling_grounds"):
                lines.append(phrase("objection_li_go", lang, grounds=result["compelling_grounds"]))
            else:
                lines.append(phrase("objection_li_stop", lang))
        if type_ == Right.automated_decisions.value:
            lines.append(policy.text(policy.rights.automated_decisions_statement, lang))
        if result.get("recipients_told"):
            lines.append(phrase("recipients", lang, names="; ".join(result["recipients_told"])))
    authority, website = complaint_authority(policy, jurisdiction)
    lines += [
        "",
        phrase("complaint", lang, authority=authority, website=website),
        "",
        phrase("signoff", lang, controller=policy.controller.name),
    ]
    return "\n".join(lines)
