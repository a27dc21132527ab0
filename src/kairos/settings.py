"""Every knob Kairos has, in one place, read from the environment and validated at start.

Variables use the ``KAIROS_`` prefix and ``__`` for nesting, for example
``KAIROS_SMTP__HOST`` or ``KAIROS_QUIET_HOURS__START``. ``docs/operators.md`` lists
them all (a test keeps that page complete).
"""

from __future__ import annotations

import functools
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kairos.errors import KairosError


class SmtpSettings(BaseModel):
    """The outbound mail server email nudges are handed to."""

    host: str = "127.0.0.1"
    port: int = Field(default=25, ge=1, le=65535)
    sender: str = "Kairos <kairos@localhost>"
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    timeout_seconds: float = Field(default=30.0, gt=0)


class MailInSettings(BaseModel):
    """Replies to email nudges: `kairos mail-in` receives mail for reply+<token>@<reply_domain> and records answers."""

    reply_domain: str | None = Field(
        default=None, description="the domain of reply addresses; unset means email replies are not asked for"
    )
    host: str = "127.0.0.1"
    port: int = Field(default=2525, ge=1, le=65535)
    max_message_bytes: int = Field(default=1_000_000, ge=10_000, description="a larger reply is refused")


class DeliverySettings(BaseModel):
    """How nudges reach people: which channels in which order, daily digests, the links messages carry."""

    channels: list[str] = Field(
        default=["email"],
        description="the organization's channel order: a person without a preference gets the first channel that "
        "can reach them (slack, teams, matrix, email, webhook)",
    )
    digest_time: time = Field(default=time(8, 30), description="local time of the daily digest for those who chose it")
    public_url: str | None = Field(
        default=None, description="Kairos's address as people reach it (one-tap answers, inbox and preference links)"
    )
    secret_key: SecretStr | None = Field(
        default=None, description="signs links and reply addresses; unset means a random key kept in <data_dir>"
    )
    link_days: int = Field(default=30, ge=1, le=365, description="how long a link in a message keeps working")
    max_attempts: int = Field(default=5, ge=1, le=20, description="tries per delivery before it is dead-lettered")

    @field_validator("public_url")
    @classmethod
    def _http(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("http://", "https://")):
            raise ValueError("the public URL starts with https:// (or http:// on a test machine)")
        return url.rstrip("/") if url else url


class SlackSettings(BaseModel):
    """A Slack app: its bot token sends, its signing secret verifies the interactions and events Slack posts."""

    bot_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    api_url: str = Field(default="https://slack.com/api/", description="the Web API base (a stand-in in tests)")
    lookup_by_email: bool = Field(default=True, description="find a person's Slack user by their email address")
    timeout_seconds: float = Field(default=10.0, gt=0)


class TeamsSettings(BaseModel):
    """A Microsoft Teams bot (Azure Bot registration): its app id and secret, and the Bot Framework endpoints."""

    app_id: str | None = None
    app_password: SecretStr | None = None
    tenant_id: str | None = Field(default=None, description="the organization's Microsoft Entra tenant")
    service_url: str | None = Field(
        default=None, description="where to open conversations with people who have not written to the bot yet"
    )
    token_url: str = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    openid_metadata_url: str = "https://login.botframework.com/v1/.well-known/openidconfiguration"
    issuer: str = "https://api.botframework.com"
    timeout_seconds: float = Field(default=10.0, gt=0)


class MatrixSettings(BaseModel):
    """A Matrix bot account on the organization's homeserver."""

    homeserver: str | None = None
    user_id: str | None = None
    access_token: SecretStr | None = None
    device_id: str | None = None
    user_id_template: str | None = Field(
        default=None,
        description="a person's Matrix id from their email when none is on record, e.g. @{email_local}:example.org",
    )
    timeout_seconds: float = Field(default=10.0, gt=0)


class OutgoingWebhookSettings(BaseModel):
    """One endpoint that receives every nudge routed to the webhook channel, signed Standard Webhooks style."""

    url: str | None = None
    secret: SecretStr | None = Field(default=None, description="whsec_<base64>, shared with the receiver")
    previous_secret: SecretStr | None = Field(
        default=None, description="during a key rotation, the old whsec_ secret: each request carries both signatures"
    )
    timeout_seconds: float = Field(default=10.0, gt=0)


class QuietHours(BaseModel):
    """Local hours in which nothing is delivered; the window may cross midnight."""

    start: time = time(20, 0)
    end: time = time(8, 0)

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("quiet hours start and end are equal; leave them unset to use the defaults")
        return self


class ApiSettings(BaseModel):
    """The HTTP service (`kairos serve`): SCIM provisioning, HRIS webhooks, health."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)


class ScimSettings(BaseModel):
    """SCIM 2.0 provisioning under /scim/v2; off until a bearer token is set."""

    token: SecretStr | None = None
    max_results: int = Field(default=200, ge=1, le=10_000, description="largest page a list request returns")


class WebhookSettings(BaseModel):
    """Shared secrets for HRIS webhooks (HMAC-SHA256 of the body); a source without a secret is refused."""

    generic_secret: SecretStr | None = None
    bamboohr_secret: SecretStr | None = None
    workday_secret: SecretStr | None = None


class CalDavSettings(BaseModel):
    """A CalDAV server whose calendars `kairos import caldav` syncs incrementally (Radicale, Nextcloud, SOGo, …)."""

    url: str | None = Field(default=None, description="the server, a principal or one calendar collection")
    username: str | None = None
    password: SecretStr | None = None
    days: int = Field(default=56, ge=1, le=366, description="how many days ahead occurrences are expanded")
    attach_briefs: bool = Field(
        default=False, description="also write each manager's brief into the meeting itself on this server"
    )
    timeout_seconds: float = Field(default=30.0, gt=0)


class XapiSettings(BaseModel):
    """The xAPI statements endpoint under /xapi (learning records); off until a login or a bearer token is set."""

    username: str | None = Field(default=None, description="the HTTP Basic user a learning platform sends")
    password: SecretStr | None = None
    token: SecretStr | None = Field(default=None, description="a bearer token accepted instead of the login")
    max_results: int = Field(default=100, ge=1, le=10_000, description="largest page GET /xapi/statements returns")

    @model_validator(mode="after")
    def _login_complete(self) -> XapiSettings:
        if (self.username is None) != (self.password is None):
            raise ValueError("set both KAIROS_XAPI__USERNAME and KAIROS_XAPI__PASSWORD, or neither")
        return self


class Settings(BaseSettings):
    """Kairos's configuration; build it with :func:`get_settings`, never at import time."""

    model_config = SettingsConfigDict(
        env_prefix="KAIROS_", env_nested_delimiter="__", extra="ignore", validate_default=True
    )

    data_dir: Path = Field(default=Path("./kairos-data"), description="where the embedded database lives")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; unset means SQLite at <data_dir>/kairos.db",
    )
    smtp: SmtpSettings = SmtpSettings()
    api: ApiSettings = ApiSettings()
    scim: ScimSettings = ScimSettings()
    webhooks: WebhookSettings = WebhookSettings()
    caldav: CalDavSettings = CalDavSettings()
    xapi: XapiSettings = XapiSettings()
    delivery: DeliverySettings = DeliverySettings()
    mail_in: MailInSettings = MailInSettings()
    slack: SlackSettings = SlackSettings()
    teams: TeamsSettings = TeamsSettings()
    matrix: MatrixSettings = MatrixSettings()
    webhook_out: OutgoingWebhookSettings = OutgoingWebhookSettings()
    quiet_hours: QuietHours = QuietHours()
    working_days: list[int] = Field(default=[0, 1, 2, 3, 4], description="ISO weekday numbers minus one: 0 is Monday")
    weekly_cap: int = Field(default=3, ge=0, le=50, description="nudges per person per local week")
    default_time_zone: str = "UTC"
    max_field_chars: int = Field(default=2000, ge=50, description="longest text accepted in one field")
    mass_termination_share: float = Field(
        default=0.10, gt=0, le=1, description="largest share of people one change may terminate or send on leave"
    )
    executive_level_prefixes: list[str] = Field(
        default=["E"], description="level tracks that count as executive (E1, E2…)"
    )
    claim_batch: int = Field(default=100, ge=1, le=10_000)
    claim_lease_seconds: int = Field(default=300, ge=10)
    overload_meeting_hours: float = Field(
        default=6.0, gt=0, description="a local day with this many meeting hours counts as overloaded"
    )
    content_dir: Path | None = Field(default=None, description="plays and templates; unset means bundled")
    policy_file: Path | None = Field(
        default=None, description="the intervention policy (YAML); unset means the bundled content/policy/default.yaml"
    )
    styles_dir: Path | None = Field(
        default=None,
        description="the organization's style mapping files; each replaces the bundled file of the same name",
    )
    cache_dir: Path | None = Field(
        default=None, description="derived files kept to save work (content vectors); unset means <data_dir>/cache"
    )
    library_dir: Path | None = Field(
        default=None,
        description="the organization's content library folder; its items add to the bundled ones, "
        "and an item with a bundled item's id replaces it",
    )
    feedback_min_raters: int = Field(
        default=3,
        ge=2,
        le=100,
        description="a 360 report shows a peer or direct-report group only with at least this many raters per "
        "competency (smaller groups are merged into 'others' or withheld)",
    )
    feedback_min_comment_raters: int = Field(
        default=10,
        ge=2,
        le=1000,
        description="a 360 report shows comments only when at least this many people other than the subject responded",
    )
    min_group_size: int = Field(
        default=5,
        ge=2,
        le=1000,
        description="the smallest group any aggregate shows (calibration distributions, agreement, spread); "
        "smaller groups are withheld",
    )

    @field_validator("working_days")
    @classmethod
    def _weekdays(cls, days: list[int]) -> list[int]:
        if not days or any(d < 0 or d > 6 for d in days):
            raise ValueError("working days are numbers 0 (Monday) to 6 (Sunday), at least one")
        return sorted(set(days))

    @field_validator("default_time_zone")
    @classmethod
    def _zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"'{name}' is not an IANA time zone (e.g. Europe/Berlin)") from exc
        return name

    @field_validator("database_url")
    @classmethod
    def _url(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("sqlite", "postgresql")):
            raise ValueError("only sqlite:/// and postgresql+psycopg:// URLs are supported")
        return url

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kairos.db').resolve()}"


class SettingsError(KairosError):
    """The environment holds a setting Kairos cannot use."""


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment plus explicit overrides, with readable errors."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = "KAIROS_" + "__".join(str(p).upper() for p in err["loc"])
            lines.append(f"  - {name}: {err['msg']} (got {err.get('input')!r})")
        raise SettingsError("Invalid settings:\n" + "\n".join(lines)) from None


@functools.cache
def get_settings() -> Settings:
    return load_settings()
