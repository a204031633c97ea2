"""Headings and fixed phrases of the rendered privacy notice, written in English and marked
for the translation catalogs (steward.i18n): the notice shows each in the language it is rendered
in, or the policy's own wording (`texts:`). Article references stay visible in every language.
`{name}` fields are filled by `render.py`.
"""

from __future__ import annotations

from typing import Any

from steward.i18n import N_

LABELS: dict[str, Any] = {
    "controller": N_("Data controller"),
    "registration": N_("Registration"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "website": N_("Website"),
    "data_categories": N_("Categories of personal data"),
    "data_intro": N_("The data we process about you may include:"),
    "general_data": N_("General personal data"),
    "sensitive_data": N_("Sensitive or semi-sensitive personal data"),
    "only_about": N_("only about"),
    "special_category": N_("special category, GDPR Art. 9"),
    "national_id": N_("national identification number, GDPR Art. 87"),
    "purposes": N_("How we use personal data for each purpose and the foundation for processing"),
    "purpose": N_("Purpose"),
    "examples": N_("Examples"),
    "foundation": N_("Foundation for processing"),
    "gdpr": N_("GDPR"),
    "and": N_("and"),
    "legitimate_interests": N_("Our legitimate interests are:"),
    "art9": N_("Special categories of data are processed under GDPR"),
    "rights": N_("Your rights and how to use them"),
    "rights_intro": N_("You have the right to:"),
    "rights_deadline": N_(
        "We answer within one month of receiving your request (GDPR Art. 12(3))."
    ),
    "rights_extension": N_(
        "In difficult cases the deadline may be extended by up to {months} "
        "further months; we tell you within the first month, with the reasons."
    ),
    "rights_ask": N_(
        "If we have reasonable doubts about your identity or your request is "
        "comprehensive, we may ask you for additional information (GDPR Art. "
        "12(6))."
    ),
    "rights_link": N_("Use our privacy center to send a request"),
    "right_access": N_("access to your personal data"),
    "right_rectification": N_("have your personal data corrected/updated"),
    "right_erasure": N_('be deleted/erased ("the right to be forgotten")'),
    "right_restriction": N_("limit (restrict) the processing of your data"),
    "right_portability": N_("electronic transfer of your data (data portability)"),
    "right_objection": N_("make objections"),
    "right_automated_decisions": N_(
        "not have decisions made based on automatic handling, including profiling"
    ),
    "processors": N_("Our data processors and sub data processors"),
    "processor": N_("Processor"),
    "service": N_("Service"),
    "country": N_("Country"),
    "safeguard": N_("Transfer safeguard"),
    "sub_processors": N_("Sub-processors"),
    "mechanism_eea": N_("within the EU/EEA"),
    "mechanism_adequacy": N_("adequacy decision (GDPR Art. 45)"),
    "mechanism_scc": N_("standard contractual clauses (GDPR Art. 46(2)(c))"),
    "mechanism_bcr": N_("binding corporate rules (GDPR Art. 47)"),
    "mechanism_derogation": N_("derogation (GDPR Art. 49)"),
    "retention": N_("How long we keep your personal data"),
    "breaches": N_("Personal data breaches"),
    "breaches_deadline": N_(
        "We notify the supervisory authority within {hours} hours of becoming "
        "aware of a breach (GDPR Art. 33) and tell you without undue delay when "
        "the breach is likely to result in a high risk to you (GDPR Art. 34)."
    ),
    "contact": N_("Contact regarding data protection or this privacy policy"),
    "contact_intro": N_(
        "If you have further questions regarding our privacy policy or our data "
        "processing, please contact us at the address listed above or through our "
        "privacy center."
    ),
    "complaints": N_(
        "You have the right to lodge a complaint with a supervisory authority "
        "(GDPR Art. 77). If you want to submit a complaint, we refer to"
    ),
    "cookies": N_("Cookies"),
    "cookie_required": N_("always on"),
    "cookie_services": N_("Services"),
    "cookie_no_identification": N_("does not identify you"),
    "analytics": N_("Visitor statistics"),
    "analytics_basis": N_(
        "We count visits to {sites} without cookies and without storing anything "
        "in your browser. Our legal basis is our legitimate interest (GDPR Art. "
        "6(1)(f)): {interest}."
    ),
    "analytics_what": N_(
        "We keep only hourly totals: page views, visitors per day, the pages "
        "viewed (without personal query parameters), the referring domain, the "
        "country of your browser's language setting and the device class. Your IP "
        "address and browser are never stored; a visitor is recognised within one "
        "day only, by a code made with a key that changes every day and is never "
        "saved, so no one can be followed from one day to the next or identified."
    ),
    "analytics_retention": N_("The hourly totals are deleted after {months} months."),
    "analytics_without_consent": N_(
        "These statistics need no consent: they set no cookie, store nothing on "
        'your device and identify no one, so the cookie banner shows "{category}" '
        "as always on."
    ),
    "analytics_with_consent": N_(
        'Your visit is counted only if you accept "{category}" in the cookie banner.'
    ),
    "analytics_signals": N_(
        "A Do Not Track or Global Privacy Control signal from your browser means "
        "your visit is not counted."
    ),
    "effective": N_("This privacy policy is effective from {date}."),
    "months": [
        N_("January"),
        N_("February"),
        N_("March"),
        N_("April"),
        N_("May"),
        N_("June"),
        N_("July"),
        N_("August"),
        N_("September"),
        N_("October"),
        N_("November"),
        N_("December"),
    ],
    "date_format": N_("{day} {month} {year}"),
    "new_purposes": N_("New purposes"),
    "countries": {
        "DK": N_("Denmark"),
        "NO": N_("Norway"),
        "SE": N_("Sweden"),
        "GB": N_("United Kingdom"),
        "FI": N_("Finland"),
        "IE": N_("Ireland"),
        "DE": N_("Germany"),
        "NL": N_("Netherlands"),
        "US": N_("United States"),
    },
    "requirement": N_("Must you provide the data? (GDPR Art. 13(2)(e))"),
    "req_statutory": N_("Providing the data is a statutory requirement."),
    "req_contractual": N_("Providing the data is a contractual requirement."),
    "req_contract_entry": N_("Providing the data is necessary to enter into a contract with us."),
    "req_voluntary": N_("Providing the data is not a statutory or contractual requirement."),
    "req_obliged": N_("You are obliged to provide it."),
    "req_not_obliged": N_("You are not obliged to provide it."),
    "req_derived_a": N_("If you do not consent, we do not process your data for this purpose."),
    "req_derived_b": N_("Without it we cannot enter into or perform the agreement."),
    "req_derived_f": N_(
        'You can object to this processing at any time (see "Your right to object").'
    ),
    "objection": N_("Your right to object"),
    "objection_situation": N_(
        "You have the right to object at any time, on grounds relating to your "
        "particular situation, to processing of your personal data that is based "
        "on our legitimate interests or on a task in the public interest (GDPR "
        "Art. 21(1)). We then stop, unless we demonstrate compelling legitimate "
        "grounds that override your interests, rights and freedoms, or the "
        "processing is needed for legal claims. This applies to:"
    ),
    "objection_marketing": N_(
        "You can object at any time to the use of your data for direct marketing, "
        "including profiling related to it. We then stop at once; no reasons are "
        "needed (GDPR Art. 21(2)-(3)). This applies to:"
    ),
    "objection_how": N_("Use our privacy center or contact us to object."),
    "transfers": N_("Transfers outside the EU/EEA (GDPR Art. 13(1)(f))"),
    "transfer_to": N_("{recipient}, {country}: {safeguard}"),
    "sources": N_("Where your data comes from (GDPR Art. 14(2)(f))"),
    "sources_intro": N_("We collect most data from you. Some data comes from others:"),
    "source_public": N_("publicly accessible source"),
    "authorities": N_("You may also complain to the supervisory authority where you live or work:"),
    "lead_authority": N_("our lead supervisory authority (GDPR Art. 56)"),
    "withdraw_consent": N_(
        "Where we rely on your consent, you can withdraw it at any time, as "
        "easily as you gave it; this does not affect the processing before the "
        "withdrawal (GDPR Art. 7(3), Art. 13(2)(c))."
    ),
}
