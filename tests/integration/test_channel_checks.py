"""``kairos channels check``: each channel signs in to its real (or stand-in) server without sending anything, and
says plainly what does not work."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from kairos.deliver.channels.calendar import CalendarChannel
from kairos.deliver.channels.email import EmailChannel
from kairos.deliver.channels.matrix import MatrixChannel
from kairos.deliver.channels.slack import SlackChannel
from kairos.deliver.channels.teams import TeamsChannel
from kairos.deliver.channels.webhook import from_settings as webhook_from_settings
from kairos.demo.mail_sink import MailSink
from kairos.settings import CalDavSettings, MatrixSettings, SlackSettings, SmtpSettings, TeamsSettings, load_settings
from tests.support.botframework import BotFramework
from tests.support.cli import run_cli
from tests.support.servers import RadicaleServer, free_port, radicale_fixture  # noqa: F401  (session fixture)
from tests.support.slack_api import TOKEN, SlackApi
from tests.support.synapse import SynapseServer, synapse_fixture, unique  # noqa: F401  (session fixture)


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[MailSink]:
    with MailSink(tmp_path / "mail") as server:
        yield server


def test_email_connects_and_says_where_and_a_closed_port_is_named(sink: MailSink) -> None:
    good = EmailChannel(SmtpSettings(host="127.0.0.1", port=sink.port)).check()
    assert good.ok and good.detail == f"127.0.0.1:{sink.port} answered"
    port = free_port()
    bad = EmailChannel(SmtpSettings(host="127.0.0.1", port=port, timeout_seconds=3)).check()
    assert not bad.ok and f"127.0.0.1:{port}: ConnectionRefusedError" in bad.detail
    assert not list((sink.folder).glob("*.eml"))  # nothing was sent


def test_slack_asks_auth_test_and_a_wrong_token_is_named() -> None:
    api = SlackApi().start()
    try:
        good = SlackChannel(SlackSettings(bot_token=SecretStr(TOKEN), api_url=api.url)).check()
        assert good.ok and good.detail == "signed in to Kairos Test as kairos"
        bad = SlackChannel(SlackSettings(bot_token=SecretStr("xoxb-wrong"), api_url=api.url)).check()
        assert not bad.ok and bad.detail == "Slack refused the bot token: invalid_auth"
        assert [c.method for c in api.calls] == ["auth.test", "auth.test"]
    finally:
        api.stop()


def test_teams_fetches_the_bots_token_and_a_wrong_secret_is_named() -> None:
    with BotFramework() as bf:
        good = TeamsChannel(TeamsSettings(**bf.settings())).check()
        assert good.ok and "got its Bot Framework token" in good.detail
        bad = TeamsChannel(TeamsSettings(**bf.settings(app_password=SecretStr("wrong")))).check()
        assert not bad.ok and "invalid_client" in bad.detail


def test_matrix_asks_whoami_and_a_revoked_token_is_named(synapse: SynapseServer) -> None:
    bot = synapse.register(unique("checkbot"))
    good = MatrixChannel(MatrixSettings(homeserver=synapse.url, access_token=bot.access_token)).check()
    assert good.ok and good.detail.endswith(f"knows the bot as {bot.user_id}")
    bad = MatrixChannel(MatrixSettings(homeserver=synapse.url, access_token="syt_not_a_token")).check()
    assert not bad.ok and "refused the bot's token" in bad.detail


def test_the_calendar_lists_what_the_login_can_write_and_an_unreachable_server_is_named(
    radicale: RadicaleServer,
) -> None:
    good = CalendarChannel(CalDavSettings(url=radicale.url, username=unique("cal"), password=SecretStr("x"),
                                          attach_briefs=True)).check()  # fmt: skip
    assert good.ok and "calendar(s) at" in good.detail
    gone = CalendarChannel(CalDavSettings(url=f"http://127.0.0.1:{free_port()}/", attach_briefs=True,
                                          timeout_seconds=3)).check()  # fmt: skip
    assert not gone.ok and "could not be read" in gone.detail


WEBHOOK_SECRET = "whsec_a2Fpcm9zLWNoYW5uZWwtY2hlY2stc2VjcmV0LTMyYiE="  # 32 bytes, for this test only


def test_a_webhook_is_not_called_by_a_check() -> None:
    settings = load_settings(webhook_out={"url": "http://127.0.0.1:9/kairos", "secret": WEBHOOK_SECRET})
    channel = webhook_from_settings(settings)
    assert channel is not None
    found = channel.check()
    assert found.ok and "the receiver is not called" in found.detail


def test_the_command_lists_every_configured_channel_and_fails_when_one_cannot_work(
    sink: MailSink, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("KAIROS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KAIROS_SMTP__PORT", str(sink.port))
    code, out, _ = run_cli(["channels", "check"], capsys)
    assert code == 0 and "email" in out and "inbox" in out and "yes" in out
    monkeypatch.setenv("KAIROS_SMTP__PORT", str(free_port()))
    code, out, _ = run_cli(["channels", "check"], capsys)
    assert code == 1 and "ConnectionRefusedError" in out
