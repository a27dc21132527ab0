"""The grounded composer: every sentence of substance comes from stored facts, each fact is cited in the why.

The organization's competency definition and the behavioral anchors at the goal's target
level are quoted verbatim, with the framework version; the goal text is the one agreed in
the review. Nothing is invented, so there is nothing to check for invention.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from kairos.compose.library import ContentItem
from kairos.compose.templates import StyleSelection, Template
from kairos.domain.commitment import Commitment
from kairos.domain.decision import Decision
from kairos.domain.event import Event
from kairos.domain.framework import Framework
from kairos.domain.goal import DevelopmentGoal
from kairos.domain.meeting import Meeting
from kairos.domain.nudge import Nudge
from kairos.domain.person import Person
from kairos.domain.style import Instrument, StyleFact, StyleProfile
from kairos.domain.transition import RaisedExpectation
from kairos.plays.schema import Action, Play
from kairos.profiles.instruments import FORMATS
from kairos.profiles.relationship import RelationshipInsight
from kairos.profiles.team import JoinerBriefing


@dataclass(frozen=True, slots=True)
class StyleContext:
    """The style facts a message may use, consent already applied by whoever built it.

    ``about`` is the other person in the moment (the report in a manager's brief, the manager in a
    tip) or the recipient themself; ``profile`` is None when their consent withholds it from the
    recipient. ``insight`` relates the recipient's own profile to the other person's.
    """

    about: Person
    profile: StyleProfile | None
    insight: RelationshipInsight | None = None
    briefing: JoinerBriefing | None = None  # for about = team: the newcomer (``about``) and their team
    team_names: dict[str, str] | None = None  # first names of the members the recipient may see


@dataclass(frozen=True, slots=True)
class CompositionInput:
    recipient: Person
    subject: Person | None
    play: Play
    action: Action
    event: Event
    event_seq: int
    moment_id: int
    meeting: Meeting | None
    goal: DevelopmentGoal | None  # the subject's active goal
    framework: Framework | None  # the version the goal cites
    decision: Decision
    # For a move to a new role or level: what the framework now expects that it did not before.
    expectations: tuple[RaisedExpectation, ...] = ()
    benchmark_framework: Framework | None = None  # the version the expectations come from
    commitments: tuple[Commitment, ...] = ()  # open between the subject and their manager, visible to the recipient
    style: StyleContext | None = None
    content: ContentItem | None = None  # the library item chosen for the decision's kind of help, if any


def compose(given: CompositionInput, template: Template) -> Nudge:
    facts: list[dict[str, Any]] = []
    values: dict[str, Any] = {
        "recipient": {"first_name": given.recipient.first_name, "name": given.recipient.name},
        "subject": (
            {
                "first_name": given.subject.first_name,
                "name": given.subject.name,
                "role": given.subject.role,
                "level": given.subject.level,
            }
            if given.subject
            else None
        ),
        "for_manager": given.subject is not None and given.subject.id != given.recipient.id,
        "intervention": given.decision.kind.value,
        "decision": {
            "kind": given.decision.kind.value,
            "bottleneck": given.decision.bottleneck.value if given.decision.bottleneck else None,
            "challenge": given.decision.challenge.value,
            "evidence": list(given.decision.evidence),
        },
        "content": None,
        "event": given.event.data,
        "meeting": None,
        "goal": None,
        "competency": None,
        "level": None,
        "framework": None,
    }
    zone = ZoneInfo(given.recipient.time_zone)
    if given.meeting is not None:
        local = given.meeting.start.astimezone(zone)
        values["meeting"] = {
            "title": given.meeting.title,
            "when": f"{local:%A %d %B, %H:%M} ({zone.key})",
            "time": f"{local:%H:%M}",
        }
        facts.append(
            {
                "source": "calendar",
                "ref": given.meeting.key,
                "text": f"{given.meeting.title} at {local:%Y-%m-%d %H:%M} {zone.key}",
            }
        )
    goal = given.goal
    if goal is not None:
        values["goal"] = {
            "origin": goal.origin,
            "stage": goal.stage,
            "agreed": goal.agreed,
            "text": goal.text,
            "review_date": f"{goal.review_date:%d %B %Y}",
            "target_level": goal.target_level,
        }
        if goal.origin == "priority":
            ref = f"{goal.framework_id}@{goal.framework_version}/priorities/{goal.stage}/{goal.competency_id}"
            facts.append({"source": "priority", "ref": f"{ref}/level-{goal.target_level}", "text": goal.text})
        else:
            facts.append(
                {
                    "source": "goal",
                    "ref": f"{goal.person_id}/{goal.competency_id}/{goal.review_date.isoformat()}",
                    "text": goal.text,
                }
            )
        competency = given.framework.competency(goal.competency_id) if given.framework else None
        if competency is not None and given.framework is not None:
            level = competency.level(goal.target_level)
            values["competency"] = {"name": competency.name, "definition": competency.definition}
            values["framework"] = {"name": given.framework.name, "version": given.framework.version}
            ref = f"{given.framework.id}@{given.framework.version}/{competency.id}"
            facts.append({"source": "framework", "ref": ref, "text": competency.definition})
            if level is not None:
                values["level"] = {"number": level.level, "name": level.name, "anchors": list(level.anchors)}
                for i, anchor in enumerate(level.anchors):
                    facts.append(
                        {"source": "framework", "ref": f"{ref}/level-{level.level}/anchor-{i + 1}", "text": anchor}
                    )
    values["commitments"] = [
        {"kind": c.kind.value, "text": c.text, "recorded": f"{c.recorded_at.astimezone(zone):%d %B}",
         "due": f"{c.due:%d %B}" if c.due else None}
        for c in given.commitments
    ]  # fmt: skip
    for c in given.commitments:
        facts.append({"source": "commitment", "ref": f"commitment/{c.id}", "text": c.text})
    values["expectations"] = []
    if given.expectations and given.benchmark_framework is not None:
        fw = given.benchmark_framework
        for raised in given.expectations:
            ref = f"{fw.id}@{fw.version}/{raised.competency.id}"
            values["expectations"].append({
                "competency": raised.competency.name, "definition": raised.competency.definition,
                "before": raised.before, "level": raised.after, "level_name": raised.level.name,
                "anchors": list(raised.level.anchors),
            })  # fmt: skip
            facts.append({"source": "benchmark", "ref": f"{ref}/expected-level-{raised.after}",
                          "text": f"{raised.competency.name}: level {raised.after} ({raised.level.name})"})  # fmt: skip
            for i, anchor in enumerate(raised.level.anchors):
                facts.append(
                    {"source": "framework", "ref": f"{ref}/level-{raised.after}/anchor-{i + 1}", "text": anchor}
                )
        values["benchmark_framework"] = {"name": fw.name, "version": fw.version}
    values["style"] = _style_values(given, template.style, facts)
    if given.content is not None:
        item = given.content
        values["content"] = {"title": item.title, "text": item.text, "minutes": item.minutes}
        facts.append({"source": "library", "ref": f"library/{item.id}", "text": item.title})
    subject_line, body = template.render(values)
    why = _why(given, facts)
    footer = _footer(given, why)
    text = f"{body}\n\n--\n{footer}"
    return Nudge(
        recipient_id=given.recipient.id,
        recipient_email=given.recipient.email,
        recipient_name=given.recipient.name,
        subject=subject_line,
        text=text,
        html=_html(body, footer),
        why=why,
    )


def _style_values(
    given: CompositionInput, selection: StyleSelection | None, facts: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The style facts and advice the template asked for, chosen here so that exactly these are cited."""
    context = given.style
    if context is None or selection is None:
        return None
    if selection.about == "team":
        return _team_values(given, context, selection, facts)
    if context.profile is None or context.profile.empty:
        return None
    chosen: list[StyleFact] = []
    for dimension in selection.dimensions:
        for fact in context.profile.on(dimension):
            if len(chosen) < selection.limit and fact.statement not in {c.statement for c in chosen}:
                chosen.append(fact)
    insight = context.insight if selection.about == "other" else None
    advice = [line for line in (insight.adapt if insight else ())][: selection.advice]
    friction = [line for line in (insight.friction if insight else ())][: selection.friction]
    if not chosen and not advice and not friction:
        return None
    names = {context.about.id: context.about.first_name, given.recipient.id: given.recipient.first_name}
    cited = _cite([*chosen, *(f for line in advice + friction for f in line.facts)], names, facts)
    return {
        "name": context.about.first_name,
        "instruments": _instruments(cited),
        "facts": [{"dimension": f.dimension.value, "statement": f.statement} for f in chosen],
        "advice": [line.text for line in advice],
        "friction": [line.text for line in friction],
    }


def _team_values(
    given: CompositionInput, context: StyleContext, selection: StyleSelection, facts: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """A newcomer briefing for their team's manager: how the newcomer compares, what the team and the newcomer
    can do, likely friction — only from members whose consent lets the recipient see them."""
    briefing = context.briefing
    if briefing is None or not briefing.enough:
        return None
    compared = list(briefing.compared[: selection.limit])
    for_team = list(briefing.for_team[: selection.advice])
    for_newcomer = list(briefing.for_newcomer[: selection.advice])
    friction = [p.line for p in briefing.friction[: selection.friction]]
    lines = compared + for_team + for_newcomer + friction
    cited = _cite([f for line in lines for f in line.facts], context.team_names or {}, facts)
    return {
        "name": context.about.first_name,
        "instruments": _instruments(cited),
        "compared": [line.text for line in compared],
        "for_team": [line.text for line in for_team],
        "for_newcomer": [line.text for line in for_newcomer],
        "friction": [line.text for line in friction],
        "notes": list(briefing.notes),
    }


def _cite(used: list[StyleFact], names: dict[str, str], facts: list[dict[str, Any]]) -> dict[str, StyleFact]:
    """Each style fact once in the why, with whose it is, the instrument and the score behind it."""
    cited: dict[str, StyleFact] = {}
    for fact in used:
        cited.setdefault(fact.ref, fact)
    for ref, fact in cited.items():
        facts.append({"source": "style", "ref": ref, "text": f"{names.get(fact.person_id, fact.person_id)} "
                      f"{fact.statement}", "instrument": fact.instrument.value, "evidence": fact.evidence})  # fmt: skip
    return cited


def _instruments(cited: dict[str, StyleFact]) -> list[str]:
    return [FORMATS[i].title for i in Instrument if i in {f.instrument for f in cited.values()}]


def _why(given: CompositionInput, facts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "moment": given.moment_id,
        "event": {
            "seq": given.event_seq,
            "id": given.event.id,
            "type": given.event.type,
            "source": given.event.source,
            "time": given.event.time.isoformat(),
        },
        "play": {
            "id": given.play.id,
            "version": given.play.version,
            "title": given.play.title,
            "action": given.action.id,
        },
        "decision": given.decision.as_dict(),
        "framework": (
            {"id": given.framework.id, "version": given.framework.version, "name": given.framework.name}
            if given.framework and given.goal
            else None
        ),
        "benchmark_framework": (
            {
                "id": given.benchmark_framework.id,
                "version": given.benchmark_framework.version,
                "name": given.benchmark_framework.name,
            }
            if given.benchmark_framework and given.expectations
            else None
        ),  # fmt: skip
        "facts": facts,
    }


_EVENT_PHRASES = {
    "meeting.scheduled": "a meeting in your calendar",
    "person.promoted": "your promotion",
}


def _footer(given: CompositionInput, why: dict[str, Any]) -> str:
    cause = _EVENT_PHRASES.get(given.event.type, given.event.type)
    if given.meeting is not None:
        cause = f"your calendar shows “{given.meeting.title}”"
    parts = [f"Why you are seeing this: {cause}, and the play “{given.play.title}” (v{given.play.version})."]
    basis = []
    if given.goal is not None and given.goal.origin == "priority":
        basis.append(f"the organization's priority behaviors for {given.goal.stage} roles")
    elif given.goal is not None:
        owner = (
            "your"
            if given.subject is None or given.subject.id == given.recipient.id
            else f"{given.subject.first_name}'s"
        )
        if given.goal.origin == "focus":
            basis.append(f"{owner} focus, agreed on {given.goal.review_date:%d %B %Y}")
        else:
            basis.append(f"{owner} development goal from the review of {given.goal.review_date:%d %B %Y}")
    if why["framework"]:
        basis.append(f"{why['framework']['name']} version {why['framework']['version']}")
    benchmark = why["benchmark_framework"]
    if benchmark and benchmark != why["framework"]:
        basis.append(f"the role expectations of {benchmark['name']} version {benchmark['version']}")
    if basis:
        parts.append("Based on " + " and ".join(basis) + ".")
    parts.append(
        f"Chosen by the rule “{given.decision.rule}” of policy {given.decision.policy_version}: "
        f"{given.decision.reasons[0]}."
    )
    return " ".join(parts)


def _html(body: str, footer: str) -> str:
    """The same words as the text part, as simple accessible HTML (everything escaped)."""
    blocks = []
    for block in body.split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.lstrip().startswith("- ") for line in lines):
            items = "".join(f"<li>{html.escape(line.lstrip()[2:])}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif all(line.lstrip().startswith("> ") for line in lines):
            quoted = "<br>".join(html.escape(line.lstrip()[2:]) for line in lines)
            blocks.append(f"<blockquote>{quoted}</blockquote>")
        else:
            blocks.append("<p>" + "<br>".join(html.escape(line) for line in lines) + "</p>")
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Kairos</title></head>'
        '<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em">'
        + "\n".join(blocks)
        + f'<hr><p style="font-size: 0.9em; color: #444">{html.escape(footer)}</p></body></html>'
    )
