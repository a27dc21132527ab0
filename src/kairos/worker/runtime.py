"""Everything a tick needs that is loaded once: settings, the play library, templates, channels."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from kairos.compose.library import ContentLibrary, library_from_settings
from kairos.compose.templates import Template, load_templates
from kairos.decide.policy_file import PolicyFile, load_policy
from kairos.deliver.base import Channel
from kairos.deliver.channels.inbox import InboxChannel
from kairos.deliver.registry import build_channels
from kairos.deliver.tokens import Signer, signer
from kairos.errors import PolicyError
from kairos.plays.library import LoadedPlay, load_plays
from kairos.plays.matcher import CompiledPlay, compile_play
from kairos.plays.timing import QuietWindow
from kairos.profiles.mapping import StyleMapping
from kairos.profiles.service import style_mapping
from kairos.resources import content_dir
from kairos.settings import Settings
from kairos.store import Database


@dataclass
class Runtime:
    settings: Settings
    db: Database
    library: list[LoadedPlay]
    plays: dict[str, CompiledPlay]  # valid plays by id
    templates: dict[str, Template]
    channels: dict[str, Channel]
    styles: StyleMapping  # the style mapping (bundled, with the organization's files), checked at start
    policy: PolicyFile  # the intervention policy file, checked at start
    content: ContentLibrary  # the content library (its vectors are computed on first use)

    @functools.cached_property
    def signer(self) -> Signer:
        """Signs links and reply addresses; the key is read (or made) on first use, not at start."""
        return signer(self.settings)

    @property
    def quiet(self) -> QuietWindow:
        return QuietWindow(self.settings.quiet_hours.start, self.settings.quiet_hours.end)

    @property
    def trigger_types(self) -> list[str]:
        return sorted({p.play.trigger.event.value for p in self.plays.values()})


def build_runtime(settings: Settings, db: Database, channels: dict[str, Channel] | None = None) -> Runtime:
    root = content_dir(settings.content_dir)
    templates = load_templates(root / "templates")
    library = load_plays(root / "plays", set(templates))
    plays = {item.play.id: compile_play(item.play) for item in library if item.valid and item.play}
    if not plays:
        raise PolicyError(f"no valid play in {root / 'plays'}; run `kairos plays validate` to see why")
    channels = dict(channels) if channels is not None else build_channels(settings)
    channels.setdefault("inbox", InboxChannel())  # every nudge has somewhere to be, whatever else is configured
    return Runtime(
        settings, db, library, plays, templates, channels,
        style_mapping(settings.styles_dir), load_policy(policy_path(settings)), library_from_settings(settings),
    )  # fmt: skip


def policy_path(settings: Settings) -> Path:
    """``KAIROS_POLICY_FILE``, else the content folder's ``policy/default.yaml``, else the bundled one."""
    if settings.policy_file is not None:
        return settings.policy_file
    own = content_dir(settings.content_dir) / "policy" / "default.yaml"
    return own if own.is_file() else content_dir() / "policy" / "default.yaml"
