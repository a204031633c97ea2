"""Double opt-in through a real SMTP server, RFC 8058 one-click unsubscribe and the
preference center, through the web app."""

from __future__ import annotations

import re
import time

from sqlalchemy import func, select
from tests.helpers import csrf_from, make_client, settings_for

from steward.consent import mails, tokens
from steward.consent.subjects import email_ref
from steward.consent.tables import ConsentEvent
from steward.store.db import make_sessionmaker, transaction

LINK = re.compile(r"https?://\S+?/privacy/[a-z/]+\?token=\S+")


def _wait(messages, n=1):
    for _ in range(100):
        if len(messages) >= n:
            return messages[n - 1]
        time.sleep(0.05)
    raise AssertionError("no mail arrived")


def _path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def _count(engine) -> int:
    with transaction(make_sessionmaker(engine)) as s:
        return s.scalar(select(func.count(ConsentEvent.seq)))


def test_double_opt_in_unsubscribe_and_preferences(engine, tmp_path, smtp_server):
    host, port, messages = smtp_server
    smtp = {"smtp_host": host, "smtp_port": port, "smtp_starttls": False}
    client = make_client(engine, tmp_path, **smtp)
    form = client.get("/privacy/newsletter")
    assert "ProMark" in form.text and 'value="e_marketing"' in form.text
    r = client.post("/privacy/newsletter", data={
        "email": "Freja.Holm@example.com", "purpose": ["newsletter", "e_marketing"],
        "lang": "da", "csrf_token": csrf_from(form.text)})
    assert r.status_code == 200 and "Tjek din indbakke" in r.text  # the Danish form's language
    assert _count(engine) == 0  # nothing recorded before confirmation
    mail = _wait(messages)
    assert mail["To"] == "freja.holm@example.com"
    # signed up on the Danish form: the confirmation is in Danish (texts in mailtexts.TEXTS)
    assert mail["Subject"].startswith("Bekræft venligst: Nyhedsbrev")
    assert "inden for 48 timer" in mail.get_body(preferencelist=("plain",)).get_content()
    link = LINK.search(mail.get_body(preferencelist=("plain",)).get_content()).group(0)
    page = client.get(_path(link))
    assert page.status_code == 200 and "confirm" in page.text.lower()
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    done = client.post("/privacy/newsletter/confirm",
                       data={"token": token, "csrf_token": csrf_from(page.text)})
    assert done.status_code == 200
    again = client.post("/privacy/newsletter/confirm",
                        data={"token": token, "csrf_token": csrf_from(page.text)})
    assert again.status_code == 200
    ref = email_ref("test-secret-key-not-for-production", "freja.holm@example.com")
    with transaction(make_sessionmaker(engine)) as s:
        evs = list(s.scalars(select(ConsentEvent).order_by(ConsentEvent.seq)))
    assert [(e.purpose, e.action, e.method) for e in evs] == [
        ("newsletter", "given", "double_opt_in"), ("e_marketing", "given", "double_opt_in")]
    assert all(e.subject_ref == ref and e.notice_language == "da" for e in evs)
    assert evs[0].evidence_ref == "double-opt-in-token-sha256:" + tokens.digest(token)

    # A tampered confirmation token changes nothing.
    bad = client.post("/privacy/newsletter/confirm",
                      data={"token": token[:-3] + "abc", "csrf_token": csrf_from(page.text)})
    assert bad.status_code == 400 and _count(engine) == 2

    # Marketing mail carries RFC 8058 headers; a POST to the URL withdraws at once.
    settings = settings_for(engine, tmp_path, **smtp)
    mails.send_marketing(settings, to="freja.holm@example.com", subject_ref=ref,
                         purpose="newsletter", subject="News", text="Hello",
                         policy=client.app.state.policy, lang="da")
    news = _wait(messages, 2)
    assert "Afmeld med ét klik" in news.get_body(preferencelist=("plain",)).get_content()
    assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = news["List-Unsubscribe"].strip("<>")
    tampered = _path(url)[:-4] + "AAAA"
    assert client.post(tampered, data={"List-Unsubscribe": "One-Click"}).status_code == 400
    assert _count(engine) == 2
    shown = client.get(_path(url))  # GET only shows a button, in the mail's language
    assert shown.status_code == 200 and ">Afmeld</button>" in shown.text
    assert _count(engine) == 2
    fresh = make_client(engine, tmp_path, **smtp)  # a mail client: no session, no CSRF token
    r = fresh.post(_path(url), data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200 and _count(engine) == 3 and "Du er afmeldt" in r.text
    with transaction(make_sessionmaker(engine)) as s:
        last = s.scalars(select(ConsentEvent).order_by(ConsentEvent.seq.desc())).first()
    assert (last.action, last.method, last.purpose) == ("withdrawn", "rfc8058_one_click",
                                                        "newsletter")
    assert fresh.post(_path(url), data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert _count(engine) == 3  # already withdrawn: nothing new

    # Preference center: a verified link by mail, every purpose with its state and history.
    req = client.get("/privacy/preferences")
    client.post("/privacy/preferences/link", data={
        "email": "freja.holm@example.com", "lang": "en", "csrf_token": csrf_from(req.text)})
    pref_mail = _wait(messages, 3)
    assert pref_mail["Subject"] == "Your privacy preferences"  # asked for on an English page
    plink = LINK.search(pref_mail.get_body(preferencelist=("plain",)).get_content()).group(0)
    prefs = client.get(_path(plink))
    assert prefs.status_code == 200
    states = dict(re.findall(r'data-purpose="([a-z_]+)" data-on="(on|off)"', prefs.text))
    assert states == {"newsletter": "off", "e_marketing": "on", "post_marketing": "on",
                      "satisfaction_surveys": "on", "event_photos": "on",
                      "portrait_images": "off"}
    ptoken = re.search(r'name="token" value="([^"]+)"', prefs.text).group(1)
    # Without the CSRF token a toggle is refused.
    assert client.post("/privacy/preferences", data={
        "token": ptoken, "purpose": "event_photos", "value": "off"}).status_code == 403
    r = client.post("/privacy/preferences", data={
        "token": ptoken, "purpose": "event_photos", "value": "off",
        "csrf_token": csrf_from(prefs.text)})
    assert r.status_code == 200
    states = dict(re.findall(r'data-purpose="([a-z_]+)" data-on="(on|off)"', r.text))
    assert states["event_photos"] == "off"
    with transaction(make_sessionmaker(engine)) as s:
        last = s.scalars(select(ConsentEvent).order_by(ConsentEvent.seq.desc())).first()
    assert (last.purpose, last.action, last.method) == ("event_photos", "objected",
                                                        "preference_center")
    expired = client.get("/privacy/preferences?token=" + ptoken.replace(".", "x", 1))
    assert expired.status_code == 400
