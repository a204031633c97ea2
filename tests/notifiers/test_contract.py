"""The notifier contract (GDPR Art. 19): every installed notifier, ours included, comes from the
`steward.notifiers` entry points and behaves as `steward.notifiers.base` says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.notifiers.servers import recipient

from steward.config import Settings
from steward.errors import InvalidInput, Unavailable
from steward.mail import list_outbox
from steward.notifiers.base import Art19Notice
from steward.notifiers.http import HttpNotifier
from steward.notifiers.registry import available, notifier_for
from steward.policy.models import Notify

NOTICE = Art19Notice(
    request_ref="DSR-TEST-1",
    right="rectification",
    controller="Acme Ltd",
    recipient="Host ApS",
    identities={"email": ["kim.sample@example.com"]},
    changes={"crm.customers.city": "Aarhus"},
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", secret_key="test-secret-key-not-for-production")


def test_art19_ours_are_registered_like_a_third_partys() -> None:
    eps = available()
    assert {eps[n].value for n in ("mail", "http", "task")} == {
        "steward.notifiers.mail:MailNotifier",
        "steward.notifiers.http:HttpNotifier",
        "steward.notifiers.task:TaskNotifier",
    }


@pytest.mark.parametrize("name", sorted(available()))
def test_art19_every_installed_notifier_keeps_the_contract(name: str, settings: Settings) -> None:
    notifier = notifier_for(name, settings=settings, env={})
    assert type(notifier).name == name
    assert callable(notifier.send)


def test_art19_unknown_channel_names_the_known_ones(settings: Settings) -> None:
    with pytest.raises(InvalidInput, match="unknown notification channel 'fax'.*mail"):
        notifier_for("fax", settings=settings)


def test_art19_mail_names_the_subject_the_article_and_the_new_values(settings: Settings) -> None:
    target = Notify(channel="mail", email="privacy-host@example.com")
    out = notifier_for("mail", settings=settings).send(NOTICE, target)
    assert out.sent and out.ref
    (msg,) = list_outbox(settings)
    assert msg.to == "privacy-host@example.com" and "Art. 19" in msg.subject
    for text in ("kim.sample@example.com", "GDPR Art. 16", "crm.customers.city: Aarhus",
                 "DSR-TEST-1", "Art. 28(4)"):
        assert text in msg.body


def test_art19_task_sends_nothing(settings: Settings) -> None:
    out = notifier_for("task", settings=settings).send(NOTICE, Notify(channel="task"))
    assert not out.sent and list_outbox(settings) == []


def test_art19_http_4xx_is_not_retried_and_5xx_is(settings: Settings) -> None:
    env = {"HOST_KEY": "k"}
    with recipient() as (url, handler):
        target = Notify(channel="http", url=url, secret_env="HOST_KEY")
        handler.statuses.extend([404])
        with pytest.raises(Unavailable, match="HTTP 404"):
            HttpNotifier(settings=settings, env=env).send(NOTICE, target)
        assert len(handler.calls) == 1
        handler.statuses.extend([502, 502, 502])
        with pytest.raises(Unavailable, match="HTTP 502"):
            HttpNotifier(settings=settings, env=env).send(NOTICE, target)
        assert len(handler.calls) == 1 + 1 + len(HttpNotifier.backoff)
        body = json.loads(handler.calls[-1][1])
        assert body["type"] == "art19_notification" and body["request"] == "DSR-TEST-1"


def test_art19_http_without_key_or_server_is_unavailable_without_personal_data(
    settings: Settings,
) -> None:
    target = Notify(channel="http", url="http://127.0.0.1:9/art19", secret_env="NO_SUCH_KEY")
    with pytest.raises(Unavailable, match="NO_SUCH_KEY") as err:
        HttpNotifier(settings=settings, env={}).send(NOTICE, target)
    assert "kim.sample" not in err.value.detail
    with pytest.raises(Unavailable, match="could not be reached") as err:
        HttpNotifier(settings=settings, env={"NO_SUCH_KEY": "k"}).send(NOTICE, target)
    assert "kim.sample" not in err.value.detail
