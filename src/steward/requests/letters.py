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
    "copy_masked": {
        "en": "In your copy we replaced other people's identifiers with a tag such as [EMAIL], "
        "because a copy must not reveal other people's data (GDPR Art. 15(4)):",
        "da": "I din kopi har vi erstattet andre personers identifikationsoplysninger med en "
        "markering som [EMAIL], fordi en kopi ikke må afsløre andres oplysninger "
        "(GDPR art. 15(4)):",
    },
    "copy_left_out": {
        "en": "We left out these fields, because they are about other people, not you "
        "(GDPR Art. 15(4)):",
        "da": "Vi har udeladt disse felter, fordi de handler om andre personer, ikke om dig "
        "(GDPR art. 15(4)):",
    },
    "copy_own": {
        "en": "Your own identity numbers, e-mail addresses and phone numbers in the text are "
        "shown as they are ({n}): they are your data (GDPR Art. 15(1), 15(3)).",
        "da": "Dine egne personnumre, e-mailadresser og telefonnumre i teksten vises, som de "
        "er ({n}): det er dine oplysninger (GDPR art. 15(1), 15(3)).",
    },
    "portable": {
        "en": "The package holds, in JSON and CSV, the data you provided to us, including what "
        "we recorded of your use of our services, where we process it under your consent or "
        "our contract with you (GDPR Art. 20(1)):",
        "da": "Pakken indeholder, i JSON og CSV, de oplysninger, du har givet os, herunder "
        "hvad vi har registreret om din brug af vores tjenester, hvor vi behandler dem på "
        "grundlag af dit samtykke eller vores kontrakt med dig (GDPR art. 20(1)):",
    },
    "portable_table": {
        "en": "  - {system}, {table}: {fields} ({rows} record(s))",
        "da": "  - {system}, {table}: {fields} ({rows} post(er))",
    },
    "portable_empty": {
        "en": "  - nothing: none of the data we hold about you is of that kind",
        "da": "  - intet: ingen af de oplysninger, vi har om dig, er af den art",
    },
    "portable_left_out": {
        "en": "Left out of the package (you can still see it through a copy under GDPR Art. 15):",
        "da": "Udeladt af pakken (du kan stadig se det i en kopi efter GDPR art. 15):",
    },
    "portable_gap": {
        "en": "  - {system}, {table}: {fields}: {reason}",
        "da": "  - {system}, {table}: {fields}: {reason}",
    },
    "left_out_basis": {
        "en": "processed neither under your consent nor under a contract with you "
        "(GDPR Art. 20(1)(a))",
        "da": "behandles hverken på grundlag af dit samtykke eller en kontrakt med dig "
        "(GDPR art. 20(1)(a))",
    },
    "left_out_derived": {
        "en": "made by us, not provided by you (GDPR Art. 20(1))",
        "da": "udarbejdet af os, ikke givet af dig (GDPR art. 20(1))",
    },
    "left_out_staff": {
        "en": "written by our staff (notes, assessments), not provided by you (GDPR Art. 20(1))",
        "da": "skrevet af vores medarbejdere (notater, vurderinger), ikke givet af dig "
        "(GDPR art. 20(1))",
    },
    "left_out_secret": {
        "en": "credentials such as a password hash are never handed out, for the security of "
        "your account",
        "da": "adgangsoplysninger som en hashet adgangskode udleveres aldrig, af hensyn til "
        "din kontos sikkerhed",
    },
    "erased": {
        "en": "We erased your data: {counts} (GDPR Art. 17).",
        "da": "Vi har slettet dine oplysninger: {counts} (GDPR art. 17).",
    },
    "kept": {
        "en": "We must keep some records, because the law requires it or a legal claim needs "
        "them (GDPR Art. 17(3)); they are restricted and used for nothing else:",
        "da": "Nogle oplysninger skal vi opbevare, fordi loven kræver det, eller fordi et "
        "retskrav kræver dem (GDPR art. 17(3)); de er begrænset og bruges ikke til andet:",
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
    "objection_li_assessed": {
        "en": "While we assessed your objection, your data in {systems} was restricted: only "
        "stored, not used (GDPR Art. 18(1)(d)).",
        "da": "Mens vi vurderede din indsigelse, var dine oplysninger i {systems} begrænset: "
        "kun opbevaret, ikke brugt (GDPR art. 18(1)(d)).",
    },
    "objection_li_stopped": {
        "en": "What stopped: {purposes} (GDPR Art. 21(1)). We no longer process your data "
        "for it.",
        "da": "Hvad der er stoppet: {purposes} (GDPR art. 21(1)). Vi behandler ikke længere "
        "dine oplysninger til det.",
    },
    "objection_li_continued": {
        "en": "What continues, on compelling legitimate grounds that override your interests "
        "(GDPR Art. 21(1)): {purposes}. Our grounds: {grounds}",
        "da": "Hvad der fortsætter på grund af tvingende legitime grunde, der går forud for "
        "dine interesser (GDPR art. 21(1)): {purposes}. Vores grunde: {grounds}",
    },
    "objection_li_other": {
        "en": "What continues, because it does not rely on our legitimate interests: "
        "{purposes}.",
        "da": "Hvad der fortsætter, fordi det ikke bygger på vores legitime interesser: "
        "{purposes}.",
    },
    "objection_li_lift": {
        "en": "The restriction during our assessment will be lifted; we tell you by e-mail "
        "before it is (GDPR Art. 18(3)).",
        "da": "Begrænsningen under vores vurdering ophæves; vi giver dig besked på e-mail, "
        "før det sker (GDPR art. 18(3)).",
    },
    "art19_list": {
        "en": "Those who receive your data from us, and how we told them of the change "
        "(GDPR Art. 19):",
        "da": "Dem, der modtager dine oplysninger fra os, og hvordan vi har underrettet dem om "
        "ændringen (GDPR art. 19):",
    },
    "art19_sent": {
        "en": "  - {name}: told on {date} {how}",
        "da": "  - {name}: underrettet den {date} {how}",
    },
    "art19_how_mail": {"en": "by e-mail", "da": "pr. e-mail"},
    "art19_how_http": {
        "en": "by a signed message to their system",
        "da": "med en signeret besked til deres system",
    },
    "art19_how_other": {
        "en": "(confirmed by our privacy team)",
        "da": "(bekræftet af vores databeskyttelsesteam)",
    },
    "art19_waived": {
        "en": "  - {name}: not told, because telling them proves impossible or involves "
        "disproportionate effort (GDPR Art. 19): {reason}",
        "da": "  - {name}: ikke underrettet, fordi det viser sig umuligt eller uforholdsmæssigt "
        "vanskeligt (GDPR art. 19): {reason}",
    },
    "art19_none": {
        "en": "No one outside our company receives your data from the systems concerned, so "
        "there was no one else to tell (GDPR Art. 19).",
        "da": "Ingen uden for vores virksomhed modtager dine oplysninger fra de berørte "
        "systemer, så der var ingen andre at underrette (GDPR art. 19).",
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

KIND_NAMES = {
    "en": {
        "DK_CPR": "Danish CPR number", "NO_FNR": "Norwegian national identity number",
        "NO_DNR": "Norwegian D number", "SE_PNR": "Swedish personal identity number",
        "SE_SAMORD": "Swedish coordination number", "FI_HETU": "Finnish personal identity code",
        "UK_NINO": "UK National Insurance number", "EMAIL": "e-mail address",
        "PHONE": "phone number", "WITHHELD": "text withheld: it could not be checked",
    },
    "da": {
        "DK_CPR": "CPR-nummer", "NO_FNR": "norsk personnummer", "NO_DNR": "norsk D-nummer",
        "SE_PNR": "svensk personnummer", "SE_SAMORD": "svensk samordningsnummer",
        "FI_HETU": "finsk personnummer", "UK_NINO": "britisk National Insurance-nummer",
        "EMAIL": "e-mailadresse", "PHONE": "telefonnummer",
        "WITHHELD": "tekst tilbageholdt: den kunne ikke kontrolleres",
    },
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
            lines += portability_lines(policy, result.get("portable") or {}, lang)
        if result.get("copy"):
            lines += copy_lines(policy, result["copy"], lang)
        elif result.get("redacted"):
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
            elif result.get("objected"):
                lines += objection_lines(policy, result, lang)
            elif result.get("compelling_grounds"):
                lines.append(phrase("objection_li_go", lang, grounds=result["compelling_grounds"]))
            else:
                lines.append(phrase("objection_li_stop", lang))
        if type_ == Right.automated_decisions.value:
            lines.append(policy.text(policy.rights.automated_decisions_statement, lang))
        if "art19" in result:
            lines += art19_lines(result["art19"], lang)
    authority, website = complaint_authority(policy, jurisdiction)
    lines += [
        "",
        phrase("complaint", lang, authority=authority, website=website),
        "",
        phrase("signoff", lang, controller=policy.controller.name),
    ]
    return "\n".join(lines)


def art19_lines(outcomes: list[dict[str, str]], lang: str) -> list[str]:
    """GDPR Art. 19: each recipient and what happened (the subject may ask who they are, so
    the letter always names them). Only what happened: a request completes only once every
    notification is sent or waived (`steward.requests.notifications`)."""
    done = [o for o in outcomes if o["status"] in ("sent", "waived")]
    if not done:
        return [phrase("art19_none", lang)]
    lines = [phrase("art19_list", lang)]
    for o in done:
        if o["status"] == "sent":
            how = phrase(
                f"art19_how_{o['channel']}"
                if o["channel"] in ("mail", "http")
                else "art19_how_other",
                lang,
            )
            lines.append(phrase("art19_sent", lang, name=o["name"], date=o["told_on"], how=how))
        else:
            lines.append(phrase("art19_waived", lang, name=o["name"], reason=o["reason"]))
    return lines


def portability_lines(policy: Policy, portable: dict[str, Any], lang: str) -> list[str]:
    """GDPR Art. 20: what the package holds and what it leaves out, and why."""

    def system(key: str) -> str:
        return policy.text(policy.system(key).name, lang)

    lines = [phrase("portable", lang)]
    included = portable.get("included") or []
    for t in included:
        lines.append(
            phrase(
                "portable_table",
                lang,
                system=system(t["system"]),
                table=t["table"],
                fields=", ".join(t["fields"]),
                rows=t["rows"],
            )
        )
    if not included:
        lines.append(phrase("portable_empty", lang))
    if portable.get("left_out"):
        lines.append(phrase("portable_left_out", lang))
        for g in portable["left_out"]:
            lines.append(
                phrase(
                    "portable_gap",
                    lang,
                    system=system(g["system"]),
                    table=g["table"],
                    fields=", ".join(g["fields"]),
                    reason=phrase(f"left_out_{g['reason']}", lang),
                )
            )
    return lines


def copy_lines(policy: Policy, copy: dict[str, Any], lang: str) -> list[str]:
    """Art. 15(4): exactly what the copy masks and leaves out, per system, table and field,
    and that the subject's own identifiers stay (`redaction.CopyReport.to_json()`)."""
    kinds = KIND_NAMES.get(lang, KIND_NAMES["en"])

    def where(item: dict[str, Any]) -> str:
        system = policy.text(policy.system(item["system"]).name, lang)
        return f"{system}, {item['table']}, {item['field']}"

    lines: list[str] = []
    if copy.get("masked"):
        lines.append(phrase("copy_masked", lang))
        for item in copy["masked"]:
            what = ", ".join(f"{n} × {kinds.get(k, k)}" for k, n in item["kinds"].items())
            lines.append(f"  - {where(item)}: {what}")
    if copy.get("left_out"):
        lines.append(phrase("copy_left_out", lang))
        for item in copy["left_out"]:
            lines.append(f"  - {where(item)}: {item['values']}")
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
