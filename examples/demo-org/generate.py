#!/usr/bin/env python3
"""Generate the Northwind Labs demo organization for Kairos.

Northwind Labs is a fictional mid-size software and services company. This
script writes every input file of the demo next to itself:

    people.csv               the organization on 2026-02-20 (UTF-8 with BOM)
    people-2026-03-04.csv    a later snapshot: 3 promotions, 2 manager changes
    framework.yaml           the Northwind Growth Framework (6 competencies)
    goals.csv                development goals from the last review cycle
    goals.json               three more goals, in the JSON import format
    calendar.ics             two weeks of meetings, 2026-03-02 .. 2026-03-15
    framework.case.json      the same framework as a 1EdTech CASE 1.1 package
    three-sixty.csv          a 360 campaign for ten people, February 2026
    reviews.csv              performance reviews with ratings, summaries and goals
    check-ins.csv            check-ins in late February, some flagging skill gaps
    plans.csv                individual development plans for four people
    assessments/             DISC, CliftonStrengths, Insights, Big Five and Enneagram results for
                             most people (some have two instruments, some none)
    README.md                what is in the demo and where the edge cases are

Standard library only and fully deterministic: ``random.Random(2026)`` drives
every choice, so running it again reproduces the files byte for byte.

    python examples/demo-org/generate.py
"""

# ruff: noqa: E501  (long lines below are prose: competency anchors and goal texts)
from __future__ import annotations

import csv
import io
import json
import random
import textwrap
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
rng = random.Random(2026)

DOMAIN = "northwind.example"
NY, BER, SG = "America/New_York", "Europe/Berlin", "Asia/Singapore"
ZONES = (NY, BER, SG)
CITIES = {
    NY: ["New York", "New York", "New York", "Boston", "Philadelphia", "Atlanta", "Raleigh"],
    BER: ["Berlin", "Berlin", "Berlin", "Munich", "Hamburg", "Cologne", "Leipzig"],
    SG: ["Singapore"],
}

# --------------------------------------------------------------------------
# Names: first and last names grouped by naming culture, so that a generated
# name reads as a plausible person rather than a random mash-up.
# --------------------------------------------------------------------------
CULTURES: dict[str, tuple[list[str], list[str]]] = {
    "us": (
        ["Emily", "Marcus", "Jordan", "Rachel", "Daniel", "Grace", "Tyler", "Brianna"],
        ["Bennett", "Foster", "Coleman", "Hayes", "Whitaker", "Brooks", "Caldwell", "Pruitt"],
    ),
    "irish": (
        ["Siobhán", "Ciarán", "Niamh", "Declan", "Aoife", "Eoin"],
        ["O'Connell", "Byrne", "Gallagher", "Doyle", "Kavanagh", "Ó Súilleabháin"],
    ),
    "spanish": (
        ["Tomás", "Lucía", "Mateo", "Valentina", "Andrés", "Camila", "Ximena"],
        ["Morales", "Herrera", "Castillo", "Vargas", "Ortega", "Navarro", "Peña"],
    ),
    "brazilian": (
        ["João", "Beatriz", "Rafael", "Mariana", "Thiago", "Larissa"],
        ["Souza", "Carvalho", "Ribeiro", "Almeida", "Barbosa", "Figueiredo"],
    ),
    "german": (
        ["Lukas", "Hannah", "Jonas", "Lena", "Felix", "Katharina", "Matthias", "Jörg"],
        ["Schneider", "Becker", "Hoffmann", "Krüger", "Richter", "Neumann", "Weiß", "Brandt"],
    ),
    "turkish": (
        ["Emre", "Elif", "Burak", "Zeynep", "Deniz", "Ayşe"],
        ["Yılmaz", "Demir", "Şahin", "Aydın", "Kaya", "Öztürk"],
    ),
    "polish": (
        ["Katarzyna", "Piotr", "Agnieszka", "Tomasz", "Małgorzata"],
        ["Nowak", "Wójcik", "Mazur", "Zając", "Król"],
    ),
    "french": (
        ["Camille", "Théo", "Chloé", "Julien", "Margaux"],
        ["Lefèvre", "Moreau", "Dubois", "Fontaine", "Girard"],
    ),
    "nordic": (
        ["Astrid", "Erik", "Ingrid", "Magnus", "Sigrid"],
        ["Lindqvist", "Johansson", "Dahl", "Håkansson", "Sørensen"],
    ),
    "dutch": (["Sanne", "Daan", "Femke", "Joost"], ["van Dijk", "de Vries", "Bakker", "Visser"]),
    "greek": (["Eleni", "Nikos", "Dimitra", "Kostas"], ["Papadakis", "Georgiou", "Antonopoulos", "Vlachos"]),
    "nigerian": (
        ["Chinedu", "Adaeze", "Oluwaseun", "Ngozi", "Emeka", "Funmilayo"],
        ["Okonkwo", "Adeyemi", "Eze", "Balogun", "Nwosu", "Okafor"],
    ),
    "ghanaian": (["Kwame", "Akosua", "Abena", "Kofi"], ["Mensah", "Asante", "Boateng", "Owusu"]),
    "kenyan": (["Wanjiru", "Achieng", "Njeri", "Baraka"], ["Kamau", "Odhiambo", "Otieno", "Mutua"]),
    "arabic": (
        ["Omar", "Layla", "Yusuf", "Rania", "Karim", "Nour"],
        ["Haddad", "Khalil", "Mansour", "Saleh", "Nassar", "Azzam"],
    ),
    "indian": (
        ["Priya", "Arjun", "Ananya", "Rohan", "Kavya", "Vikram", "Meera", "Siddharth"],
        ["Sharma", "Iyer", "Reddy", "Nair", "Banerjee", "Kulkarni", "Menon", "Choudhury"],
    ),
    "chinese": (
        ["Wei", "Mei", "Jun", "Xiaoling", "Hao", "Yiting", "Zhiwei"],
        ["Chen", "Lin", "Zhang", "Huang", "Tan", "Lim", "Ng", "Goh"],
    ),
    "malay": (
        ["Nurul", "Aisyah", "Faiz", "Hafiz", "Syafiqah", "Irfan"],
        ["Rahman", "Ismail", "Hassan", "Zainal", "Salleh"],
    ),
    "japanese": (
        ["Haruka", "Kenji", "Yuki", "Sota", "Aiko", "Ren"],
        ["Tanaka", "Nakamura", "Watanabe", "Kobayashi", "Fujii"],
    ),
    "korean": (["Ji-woo", "Min-jun", "Seo-yeon", "Hyun-woo", "Da-eun"], ["Kim", "Park", "Choi", "Jung", "Han"]),
    "vietnamese": (["Linh", "Minh", "Thảo", "Quang", "Phương"], ["Nguyen", "Tran", "Pham", "Le", "Vu"]),
    "filipino": (
        ["Paolo", "Maricel", "Jericho", "Bea", "Miguel"],
        ["Santos", "Reyes", "dela Cruz", "Villanueva", "Bautista"],
    ),
}
ZONE_CULTURES = {
    NY: [
        "us",
        "us",
        "irish",
        "spanish",
        "brazilian",
        "nigerian",
        "ghanaian",
        "kenyan",
        "indian",
        "chinese",
        "korean",
        "arabic",
        "greek",
        "filipino",
    ],
    BER: [
        "german",
        "german",
        "turkish",
        "polish",
        "french",
        "nordic",
        "dutch",
        "greek",
        "arabic",
        "indian",
        "spanish",
        "nigerian",
    ],
    SG: ["chinese", "chinese", "malay", "indian", "japanese", "korean", "vietnamese", "filipino"],
}

_used_names: set[str] = set()
_used_emails: set[str] = set()


def ascii_slug(text: str) -> str:
    special = {"ß": "ss", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "ı": "i", "đ": "d", "æ": "ae", "œ": "oe"}
    text = "".join(special.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return "".join(ch for ch in text.lower() if ch.isascii() and ch.isalnum())


def make_name(zone: str) -> tuple[str, str]:
    while True:
        culture = rng.choice(ZONE_CULTURES[zone]) if rng.random() < 0.8 else rng.choice(sorted(CULTURES))
        firsts, lasts = CULTURES[culture]
        first, last = rng.choice(firsts), rng.choice(lasts)
        name = f"{first} {last}"
        email = f"{ascii_slug(first)}.{ascii_slug(last)}@{DOMAIN}"
        # Unique first and last names keep 1:1 titles such as "Ana / Tomás" unambiguous.
        if first in _used_names or last in _used_names or email in _used_emails:
            continue
        _used_names.update((first, last))
        _used_emails.add(email)
        return name, email


# --------------------------------------------------------------------------
# Organization structure
# --------------------------------------------------------------------------
LADDERS = {
    "swe": {
        1: "Associate Software Engineer",
        2: "Software Engineer",
        3: "Senior Software Engineer",
        4: "Staff Software Engineer",
        5: "Principal Software Engineer",
    },
    "sre": {
        2: "Site Reliability Engineer",
        3: "Senior Site Reliability Engineer",
        4: "Staff Site Reliability Engineer",
    },
    "qa": {2: "QA Engineer", 3: "Senior QA Engineer"},
    "mobile": {
        1: "Associate Mobile Engineer",
        2: "Mobile Engineer",
        3: "Senior Mobile Engineer",
        4: "Staff Mobile Engineer",
    },
    "integration": {2: "Integration Engineer", 3: "Senior Integration Engineer", 4: "Staff Integration Engineer"},
    "solutions": {2: "Solutions Engineer", 3: "Senior Solutions Engineer"},
    "csm": {
        1: "Customer Success Associate",
        2: "Customer Success Manager",
        3: "Senior Customer Success Manager",
        4: "Principal Customer Success Manager",
    },
    "support": {1: "Associate Support Engineer", 2: "Support Engineer", 3: "Senior Support Engineer"},
    "analyst": {1: "Junior Data Analyst", 2: "Data Analyst", 3: "Senior Data Analyst", 4: "Staff Data Analyst"},
    "data_eng": {2: "Data Engineer", 3: "Senior Data Engineer", 4: "Staff Data Engineer"},
    "designer": {
        2: "Product Designer",
        3: "Senior Product Designer",
        4: "Staff Product Designer",
        5: "Principal Product Designer",
    },
    "researcher": {3: "Senior UX Researcher"},
    "pm": {3: "Product Manager", 4: "Senior Product Manager"},
}
GROUP = {
    "swe": "eng",
    "sre": "eng",
    "qa": "eng",
    "mobile": "eng",
    "integration": "eng",
    "solutions": "eng",
    "csm": "cs",
    "support": "cs",
    "analyst": "data",
    "data_eng": "data",
    "designer": "design",
    "researcher": "design",
    "pm": "design",
    "mgr": "mgr",
}


@dataclass
class TeamSpec:
    name: str
    zone: str
    lead_role: str
    lead_level: str
    director: str  # key into DIRECTORS
    members: list[tuple[str, int]]
    off_zone: list[str]  # zones of members who live elsewhere
    meeting_title: str


DIRECTORS = {
    "eng": ("Director of Engineering", NY, "Boston"),
    "prod": ("Director of Product Engineering", BER, "Berlin"),
    # A comma in a CSV field on purpose: parsers must honour quoting.
    "ops": ("Director, Customer Operations", NY, "New York"),
}

TEAMS = [
    TeamSpec(
        "Platform",
        NY,
        "Engineering Manager",
        "M2",
        "eng",
        [
            ("swe", 5),
            ("swe", 4),
            ("sre", 4),
            ("swe", 3),
            ("swe", 3),
            ("sre", 3),
            ("swe", 2),
            ("swe", 2),
            ("swe", 1),
            ("qa", 2),
        ],
        [BER, BER],
        "Platform team weekly",
    ),
    TeamSpec(
        "Customer Success",
        NY,
        "Customer Success Lead",
        "M1",
        "ops",
        [("csm", 4), ("csm", 3), ("csm", 3), ("csm", 2), ("csm", 2), ("support", 3), ("support", 2), ("support", 1)],
        [BER],
        "Customer Success weekly sync",
    ),
    TeamSpec(
        "Data & Insights",
        BER,
        "Analytics Manager",
        "M1",
        "eng",
        [
            ("data_eng", 4),
            ("analyst", 4),
            ("data_eng", 3),
            ("analyst", 3),
            ("analyst", 2),
            ("analyst", 2),
            ("data_eng", 2),
            ("analyst", 1),
        ],
        [NY],
        "Data & Insights team meeting",
    ),
    TeamSpec(
        "Product Design",
        BER,
        "Design Manager",
        "M2",
        "prod",
        [
            ("designer", 5),
            ("designer", 4),
            ("pm", 4),
            ("designer", 3),
            ("researcher", 3),
            ("designer", 2),
            ("designer", 2),
        ],
        [SG],
        "Design team weekly + crit",
    ),
    TeamSpec(
        "Mobile",
        SG,
        "Engineering Manager",
        "M1",
        "prod",
        [
            ("mobile", 4),
            ("mobile", 3),
            ("mobile", 3),
            ("swe", 3),
            ("qa", 3),
            ("mobile", 2),
            ("mobile", 2),
            ("qa", 2),
            ("mobile", 1),
        ],
        [BER],
        "Mobile squad weekly",
    ),
    TeamSpec(
        "Integrations",
        SG,
        "Engineering Manager",
        "M1",
        "prod",
        [
            ("integration", 4),
            ("integration", 3),
            ("integration", 3),
            ("solutions", 3),
            ("integration", 2),
            ("solutions", 2),
            ("swe", 2),
            ("swe", 1),
        ],
        [BER],
        "Integrations team weekly",
    ),
]
LEADERSHIP = "Leadership"


@dataclass
class Person:
    id: str
    name: str
    email: str
    manager_id: str
    role: str
    level: str
    team: str
    location: str
    time_zone: str
    start_date: date
    family: str = "mgr"
    reports: list[str] = field(default_factory=list)

    @property
    def first(self) -> str:
        return self.name.split()[0]

    @property
    def rank(self) -> int:
        return int(self.level[-1])


def rand_date(lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randrange((hi - lo).days + 1))


START_RANGES = {
    "E1": (date(2015, 1, 5), date(2015, 6, 30)),
    "M3": (date(2015, 3, 1), date(2018, 12, 31)),
    "M2": (date(2016, 1, 1), date(2020, 12, 31)),
    "M1": (date(2017, 1, 1), date(2022, 12, 31)),
    "IC1": (date(2024, 6, 1), date(2025, 11, 30)),
    "IC2": (date(2021, 1, 1), date(2025, 6, 30)),
    "IC3": (date(2018, 1, 1), date(2024, 6, 30)),
    "IC4": (date(2016, 1, 1), date(2023, 6, 30)),
    "IC5": (date(2015, 1, 1), date(2021, 12, 31)),
}

people: dict[str, Person] = {}
_next_id = 1


def add_person(
    manager_id: str, role: str, level: str, team: str, zone: str, location: str | None = None, family: str = "mgr"
) -> Person:
    global _next_id
    pid = f"nw-{_next_id:03d}"
    _next_id += 1
    name, email = make_name(zone)
    person = Person(
        pid,
        name,
        email,
        manager_id,
        role,
        level,
        team,
        location or rng.choice(CITIES[zone]),
        zone,
        rand_date(*START_RANGES[level]),
        family,
    )
    people[pid] = person
    if manager_id:
        people[manager_id].reports.append(pid)
    return person


ceo = add_person("", "Chief Executive Officer", "E1", LEADERSHIP, NY, "New York")
director_ids: dict[str, str] = {}
for key, (role, zone, city) in DIRECTORS.items():
    director_ids[key] = add_person(ceo.id, role, "M3", LEADERSHIP, zone, city).id
lead_ids: dict[str, str] = {}
for spec in TEAMS:
    city = {NY: "New York", BER: "Berlin", SG: "Singapore"}[spec.zone]
    lead_ids[spec.name] = add_person(
        director_ids[spec.director], spec.lead_role, spec.lead_level, spec.name, spec.zone, city
    ).id
for spec in TEAMS:
    zones = [spec.zone] * len(spec.members)
    for i, zone in zip(rng.sample(range(len(spec.members)), len(spec.off_zone)), spec.off_zone, strict=True):
        zones[i] = zone
    for (family, rank), zone in zip(spec.members, zones, strict=True):
        add_person(lead_ids[spec.name], LADDERS[family][rank], f"IC{rank}", spec.name, zone, family=family)

TEAM_OF_LEAD = {v: k for k, v in lead_ids.items()}
ALL = list(people.values())
assert 58 <= len(ALL) <= 62, len(ALL)


def members_of(team: str) -> list[Person]:
    return [p for p in ALL if p.team == team]


# --------------------------------------------------------------------------
# Second snapshot: three promotions and two manager changes.
# --------------------------------------------------------------------------
def pick(candidates: list[Person]) -> Person:
    return rng.choice(sorted(candidates, key=lambda p: p.id))


moves: list[tuple[Person, str, str]] = []  # person, new manager id, new team
mover1 = pick([p for p in members_of("Platform") if p.family == "swe" and p.time_zone == NY and p.rank in (3, 4)])
moves.append((mover1, lead_ids["Data & Insights"], "Data & Insights"))
mover2 = pick(
    [p for p in members_of("Mobile") if p.family in ("mobile", "swe") and p.time_zone == SG and p.rank in (2, 3)]
)
moves.append((mover2, lead_ids["Integrations"], "Integrations"))
moved_ids = {m[0].id for m in moves}

promotions: list[tuple[Person, str, str]] = []  # person, new level, new role
for family, rank in (("swe", 2), ("analyst", 2), ("csm", 3)):
    who = pick([p for p in ALL if p.family == family and p.rank == rank and p.id not in moved_ids])
    promotions.append((who, f"IC{rank + 1}", LADDERS[family][rank + 1]))
promoted_ids = {p[0].id for p in promotions}

HEADER = ["id", "name", "email", "manager_id", "role", "level", "team", "location", "time_zone", "start_date"]


def person_row(p: Person, **override: str) -> list[str]:
    row = {
        "id": p.id,
        "name": p.name,
        "email": p.email,
        "manager_id": p.manager_id,
        "role": p.role,
        "level": p.level,
        "team": p.team,
        "location": p.location,
        "time_zone": p.time_zone,
        "start_date": p.start_date.isoformat(),
    }
    row.update(override)
    return [row[h] for h in HEADER]


def write_people(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")  # Excel style: CRLF and a BOM
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))


# --------------------------------------------------------------------------
# Competency framework
# --------------------------------------------------------------------------
LEVEL_NAMES = {1: "Learning", 2: "Practising", 3: "Skilled", 4: "Role model"}
FRAMEWORK = [
    (
        "giving-feedback",
        "Giving feedback",
        "Offering colleagues specific, timely observations about their work and its effect, so they "
        "can repeat what worked and change what did not. Good feedback is about behavior, not "
        "character, and leaves the other person clearer rather than smaller.",
        {
            1: [
                "Shares feedback when asked, mostly in general terms such as looks good or needs more work.",
                "Waits for formal reviews or for a manager to pass on concerns instead of raising them directly.",
            ],
            2: [
                "Names a concrete example and its effect when giving feedback, such as a particular review comment or customer email.",
                "Gives appreciative feedback as readily as corrective feedback, within a few days of the event.",
            ],
            3: [
                "Gives difficult feedback privately and promptly, and checks the other person's understanding before ending the conversation.",
                "Asks for feedback on their own work regularly and visibly acts on what they hear.",
                "Chooses the timing and channel to suit the person and topic, for example a call rather than a chat thread for sensitive points.",
            ],
            4: [
                "Makes feedback a routine part of team rituals such as retrospectives, design critiques and incident reviews.",
                "Is sought out by peers to rehearse hard conversations and helps them find clearer words.",
                "Gives candid feedback upward and across teams on contentious topics while keeping the working relationship intact.",
            ],
        },
    ),
    (
        "coaching-others",
        "Coaching others",
        "Helping someone else grow by asking good questions, sharing context and letting them do the "
        "work. Coaching builds the other person's judgment instead of solving the problem for them.",
        {
            1: [
                "Answers questions from newer colleagues when approached, usually by handing over the solution.",
                "Points people to useful documents, examples or contacts when they are stuck.",
            ],
            2: [
                "Asks at least one open question about how the person sees the problem before offering advice.",
                "Pairs with a newer teammate on real work and lets them drive.",
            ],
            3: [
                "Agrees a development focus with each person they support and returns to it in regular conversations.",
                "Holds back from taking over when someone struggles and helps them find their own next step.",
                "Notices when someone is ready for a bigger stretch and helps arrange it.",
            ],
            4: [
                "Builds coaching habits into the team, such as mentoring pairs, shadowing rotations or skill clinics.",
                "Develops people who go on to coach others; several colleagues can name a change in their work that came from it.",
            ],
        },
    ),
    (
        "clear-writing",
        "Clear written communication",
        "Writing that a busy reader can act on: the point comes first, the context is sufficient and "
        "nothing important is buried in the middle. It applies to design docs, tickets, customer "
        "emails and chat alike.",
        {
            1: [
                "Writes messages and tickets that are accurate but often need a follow-up question before anyone can act on them.",
                "Uses the team's templates for tickets, pull requests or case notes when reminded.",
            ],
            2: [
                "Opens messages with the request or conclusion and follows with the supporting detail.",
                "Writes ticket and pull request descriptions complete enough that reviewers rarely ask what changed or why.",
            ],
            3: [
                "Writes proposals, design docs or account plans that readers outside the team follow without a walkthrough.",
                "Adapts one update for different audiences, such as the team channel, a customer and the leadership group.",
                "Edits their own drafts for length and uses headings, tables or examples where they help the reader.",
            ],
            4: [
                "Sets the written standard for their area; their documents are used as examples in onboarding.",
                "Improves shared templates and helps colleagues restructure drafts through kind, specific edits.",
            ],
        },
    ),
    (
        "decision-making",
        "Making decisions",
        "Choosing a course of action with the information at hand, at a pace that matches the cost "
        "of being wrong, and making the reasoning visible so that others can build on it.",
        {
            1: [
                "Escalates most choices, including reversible ones within their own work.",
                "Describes the options when asked but rarely recommends one.",
            ],
            2: [
                "Makes reversible decisions in their own area without waiting for approval and tells the people affected.",
                "Brings a recommendation with its trade-offs whenever they escalate a decision.",
            ],
            3: [
                "Records significant decisions with the context, the options considered and the reasons, where the team can find them.",
                "Tells one-way decisions from two-way ones and spends time and care accordingly.",
                "Reopens a decision openly when new evidence appears, without treating it as a personal defeat.",
            ],
            4: [
                "Makes decision rights in their area explicit, so that everyone knows who decides what.",
                "Unblocks stalled cross-team decisions by framing the choice, setting a date and committing to an answer.",
            ],
        },
    ),
    (
        "stakeholder-alignment",
        "Aligning stakeholders",
        "Understanding what the people affected by a piece of work need, and reaching shared "
        "agreement on goals, scope and trade-offs early enough that the work does not have to be "
        "redone.",
        {
            1: [
                "Knows who asked for their current work and checks with that person when unsure.",
                "Shares progress on their work when asked, usually in stand-ups or team meetings.",
            ],
            2: [
                "Identifies the main stakeholders at the start of a task and confirms with them what done looks like.",
                "Flags risks to scope or dates as soon as they are known rather than at the deadline.",
            ],
            3: [
                "Runs kickoffs or check-ins that surface conflicting needs, and records how each conflict was settled.",
                "Turns down or defers requests with a clear explanation of the trade-off and an alternative.",
                "Keeps stakeholders in other time zones informed through written updates instead of relying on meetings.",
            ],
            4: [
                "Brings several teams, or a customer's leadership, to a shared plan despite competing priorities.",
                "Anticipates concerns before they are raised and builds the answers into the plan.",
            ],
        },
    ),
    (
        "delegation",
        "Delegating well",
        "Handing over meaningful work together with the context, authority and support to do it, so "
        "that the team's capacity grows and the delegator's own time goes where it matters most.",
        {
            1: [
                "Hands over tasks mainly when overloaded, often with little context.",
                "Tends to redo or closely re-check work once it has been delegated.",
            ],
            2: [
                "Explains the outcome, the constraints and the deadline when handing over a task.",
                "Agrees check-in points up front instead of asking for status at random moments.",
            ],
            3: [
                "Delegates whole problems rather than single tasks, matched to each person's growth goals.",
                "Lets the owner present the work and take the credit for it.",
                "Keeps track of what they have delegated and removes blockers quickly.",
            ],
            4: [
                "Has built a team whose regular work runs smoothly while they are away for weeks at a time.",
                "Helps other leads delegate more and shares openly what has and has not worked for them.",
            ],
        },
    ),
]
COMPETENCY_IDS = [c[0] for c in FRAMEWORK]


def yaml_scalar(text: str) -> str:
    """A plain YAML scalar when that is safe, otherwise a double-quoted one."""
    risky = (
        ": " in text or " #" in text or text.endswith(":") or text[0] in "-?:,[]{}#&*!|>'\"%@`" or text != text.strip()
    )
    if not risky:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def framework_yaml() -> str:
    out = [
        "framework:",
        "  id: northwind-leadership",
        "  name: Northwind Growth Framework",
        '  version: "2026.1"',
        "competencies:",
    ]
    for cid, name, definition, levels in FRAMEWORK:
        out += [f"  - id: {cid}", f"    name: {yaml_scalar(name)}", "    definition: >-"]
        out += ["      " + line for line in textwrap.wrap(definition, 88)]
        out.append("    levels:")
        for number in (1, 2, 3, 4):
            anchors = levels[number]
            assert 2 <= len(anchors) <= 3
            out += [f"      - level: {number}", f"        name: {LEVEL_NAMES[number]}", "        anchors:"]
            out += [f"          - {yaml_scalar(a)}" for a in anchors]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------
# Development goals
# --------------------------------------------------------------------------
# (competency, group, only, text). ``only`` (teams or job families) restricts a
# goal whose text names particular work to the people who do that work.
GOAL_BANK: list[tuple[str, str, tuple[str, ...] | None, str]] = [
    # giving feedback
    (
        "giving-feedback",
        "eng",
        ("swe", "sre", "mobile", "integration"),
        "Leave at least one comment per code review that says why something works well, not only what to fix, and talk in person about any review that needs more than three rounds.",
    ),
    (
        "giving-feedback",
        "eng",
        ("Platform",),
        "After each incident review, tell the on-call engineer one specific thing they handled well and one thing to try differently, within two working days.",
    ),
    (
        "giving-feedback",
        "eng",
        None,
        "Raise concerns about flaky tests directly with the author instead of in the team channel, and offer a concrete fix each time.",
    ),
    (
        "giving-feedback",
        "eng",
        ("swe", "mobile", ("integration",), "sre"),
        "Tell the QA engineers which bug reports saved me time and why, so that the good patterns spread across the team.",
    ),
    (
        "giving-feedback",
        "eng",
        ("Integrations",),
        "Give feedback on partner API changes within a day of each release note, with concrete examples from our sync logs.",
    ),
    (
        "giving-feedback",
        "design",
        None,
        "Give each designer one specific, timely piece of feedback after design reviews, naming the screen and its effect on the user rather than offering general approval.",
    ),
    (
        "giving-feedback",
        "design",
        ("designer", "pm"),
        "In research debriefs, separate what I observed from what I think, and ask the presenter which kind of feedback would help them most.",
    ),
    (
        "giving-feedback",
        "data",
        ("analyst",),
        "When reviewing a teammate's dashboard, point to the exact chart a stakeholder could misread and suggest one fix.",
    ),
    (
        "giving-feedback",
        "data",
        ("analyst",),
        "Return feedback on analysis drafts within two working days instead of saving it for the weekly sync.",
    ),
    (
        "giving-feedback",
        "cs",
        None,
        "After shadowing a customer call, give my colleague two concrete observations, one strength and one thing to change, on the same day.",
    ),
    (
        "giving-feedback",
        "cs",
        None,
        "Tell the product team directly when a release confuses customers, with the ticket numbers, instead of escalating through my lead.",
    ),
    (
        "giving-feedback",
        "mgr",
        None,
        "Have a short feedback conversation with each direct report every two weeks, based on a recent, specific example, and note what we agreed.",
    ),
    (
        "giving-feedback",
        "mgr",
        None,
        "Ask the team for feedback on my own leadership in every retrospective and report back on one change I made because of it.",
    ),
    (
        "giving-feedback",
        "mgr",
        ("Platform", "Customer Success", "Data & Insights", "Product Design", "Mobile", "Integrations"),
        "Deliver difficult messages about missed commitments to partner leads myself, in a call, rather than routing them through my manager.",
    ),
    # coaching others
    (
        "coaching-others",
        "eng",
        ("swe", "sre", "mobile", "integration"),
        "Pair with our newest engineer twice a week on real tickets, letting them drive and asking questions instead of giving answers.",
    ),
    (
        "coaching-others",
        "eng",
        ("swe", "sre", "mobile", "integration"),
        "Mentor an engineer from another team through their first on-call rotation, with a short debrief after each shift.",
    ),
    (
        "coaching-others",
        "eng",
        ("swe", "sre", "mobile", "integration"),
        "Run a fortnightly debugging-together session where I talk through how I investigate a real production issue, then let a junior engineer lead the next one.",
    ),
    (
        "coaching-others",
        "eng",
        ("Mobile",),
        "Act as onboarding buddy for the next mobile hire, meeting three times a week during their first month and asking what they want to learn.",
    ),
    (
        "coaching-others",
        "design",
        ("designer",),
        "Run a monthly critique clinic for less experienced designers in which I ask questions rather than redraw their work.",
    ),
    (
        "coaching-others",
        "data",
        ("analyst",),
        "Coach our junior analysts to write an analysis plan before opening a notebook, reviewing one plan with each of them per sprint.",
    ),
    (
        "coaching-others",
        "cs",
        ("csm",),
        "Help two newer colleagues prepare their first quarterly business reviews, using questions to get them to their own storyline.",
    ),
    (
        "coaching-others",
        "mgr",
        None,
        "Agree a written development focus with every direct report and spend part of each 1:1 on it, not only on status.",
    ),
    (
        "coaching-others",
        "mgr",
        None,
        "Stop solving escalations myself as a first reflex; ask the owner what they would do and back their call whenever the risk is acceptable.",
    ),
    (
        "coaching-others",
        "mgr",
        ("Platform", "Customer Success", "Data & Insights", "Product Design", "Mobile", "Integrations"),
        "Coach the two most senior people on the team to mentor others, meeting each of them monthly to talk through what is working.",
    ),
    (
        "coaching-others",
        "mgr",
        ("Leadership",),
        "Set up a shadowing rotation so that each lead spends a day with a peer team this half, and debrief with each of them afterwards.",
    ),
    # clear writing
    (
        "clear-writing",
        "eng",
        ("swe", "sre", "mobile", "integration"),
        "Open every design doc with a five-line summary of the problem, the proposal and the decision needed, and have someone outside the team review it.",
    ),
    (
        "clear-writing",
        "eng",
        ("junior", "swe", "sre", "mobile", "integration", "qa"),
        "Write pull request descriptions that state what changed, why, and how it was tested, so that reviewers stop asking for context.",
    ),
    (
        "clear-writing",
        "eng",
        ("sre", "swe"),
        "Post incident updates every 30 minutes in a fixed format (impact, status, next update) during my on-call weeks.",
    ),
    (
        "clear-writing",
        "eng",
        ("sre", "swe"),
        "Rewrite the runbook for the billing retry job so that someone who has never touched it can follow it in the middle of the night.",
    ),
    (
        "clear-writing",
        "eng",
        ("Integrations",),
        "Keep the connector SDK setup guide current so that a new partner can reach their first successful sync without opening a ticket.",
    ),
    (
        "clear-writing",
        "eng",
        ("Mobile",),
        "Write release notes for each app release that a customer success manager could forward to a customer without editing.",
    ),
    (
        "clear-writing",
        "design",
        ("designer",),
        "Write a short rationale note for each major flow that a developer in another time zone can act on without a call.",
    ),
    (
        "clear-writing",
        "design",
        ("researcher",),
        "Summarise every research round on one page: the three findings that matter and what we recommend doing about them.",
    ),
    (
        "clear-writing",
        "data",
        ("analyst",),
        "Lead every analysis write-up with the answer and how confident we are, and move the methodology to an appendix.",
    ),
    (
        "clear-writing",
        "data",
        None,
        "Document the definitions behind our ten most-used metrics in plain language, so that sales and support can use them without asking us.",
    ),
    (
        "clear-writing",
        "cs",
        ("csm",),
        "Rewrite our renewal-risk emails so that the customer's action and deadline appear in the first two lines.",
    ),
    (
        "clear-writing",
        "cs",
        None,
        "Write case notes that let the next person on the account pick it up without a handover call.",
    ),
    (
        "clear-writing",
        "mgr",
        None,
        "Send a weekly written update to my manager and peer leads that fits on one screen and says plainly where we need help.",
    ),
    (
        "clear-writing",
        "mgr",
        None,
        "Replace two recurring status meetings with a written update, and check after a month that nobody has lost information.",
    ),
    # decision making
    (
        "decision-making",
        "eng",
        ("swe", "sre", "mobile", "integration"),
        "Make reversible technical choices within my services without waiting for the architecture forum, and post a short note explaining each one.",
    ),
    (
        "decision-making",
        "eng",
        ("junior",),
        "Bring a recommendation and two costed options whenever I escalate a technical question to my lead.",
    ),
    (
        "decision-making",
        "eng",
        ("Platform", "Integrations"),
        "Record the reasoning behind each significant change to our public API in the decision log, including the options we rejected.",
    ),
    (
        "decision-making",
        "eng",
        ("swe", "sre", "mobile", "integration"),
        "When two reviewers disagree on an approach in my pull request, propose a decision within a day instead of waiting for consensus.",
    ),
    (
        "decision-making",
        "eng",
        None,
        "Write a one-page decision record for every new third-party dependency and circulate it before merging.",
    ),
    (
        "decision-making",
        "design",
        ("designer",),
        "Decide the smaller interaction details in my flows myself and list them for the weekly review, instead of asking each time.",
    ),
    (
        "decision-making",
        "data",
        ("analyst",),
        "Time-box each exploratory analysis and decide at the end whether to stop, continue or hand it over, writing down why.",
    ),
    (
        "decision-making",
        "cs",
        None,
        "Decide goodwill credits within my approval limit on the same day rather than routing them to my lead.",
    ),
    (
        "decision-making",
        "mgr",
        None,
        "Publish a simple decision-rights table for the team so that people know which calls are theirs, and respect it myself.",
    ),
    (
        "decision-making",
        "mgr",
        ("Platform", "Mobile", "Integrations"),
        "Settle our release cadence by the end of the quarter with a written decision, even if not everyone agrees with it.",
    ),
    (
        "decision-making",
        "mgr",
        None,
        "Name an owner and a decision date for every cross-team question that has been open for more than two weeks.",
    ),
    # stakeholder alignment
    (
        "stakeholder-alignment",
        "eng",
        ("swe", "sre", "mobile", "integration"),
        "Hold a 30-minute kickoff with product and support before each epic starts, and write down what done means for each of them.",
    ),
    (
        "stakeholder-alignment",
        "eng",
        ("junior",),
        "Tell the product manager as soon as an estimate grows by more than a few days, with options rather than only the problem.",
    ),
    (
        "stakeholder-alignment",
        "eng",
        ("integration",),
        "Meet the solutions engineers at the start of each connector project to agree which customer scenarios must work at launch.",
    ),
    (
        "stakeholder-alignment",
        "eng",
        None,
        "Demo each sprint's changes to customer success so that they hear about them before customers do.",
    ),
    (
        "stakeholder-alignment",
        "eng",
        ("Mobile",),
        "Check in with the designers mid-sprint to confirm the app still matches their intent, instead of waiting for handover.",
    ),
    (
        "stakeholder-alignment",
        "design",
        ("designer", "pm"),
        "Bring engineering and customer success in at the sketch stage, and record which of their concerns changed the design.",
    ),
    (
        "stakeholder-alignment",
        "design",
        ("researcher",),
        "Agree the research questions with the product manager and the lead engineer before recruiting participants.",
    ),
    (
        "stakeholder-alignment",
        "data",
        ("analyst",),
        "Confirm with the requester which decision a dashboard will support before building it, and check back a month after launch.",
    ),
    (
        "stakeholder-alignment",
        "data",
        ("analyst",),
        "Send a short written update to stakeholders in other time zones at the end of each analysis milestone.",
    ),
    (
        "stakeholder-alignment",
        "cs",
        ("csm",),
        "Agree three measurable outcomes with each account's executive sponsor at the start of the contract year and review them every quarter.",
    ),
    (
        "stakeholder-alignment",
        "cs",
        ("csm",),
        "Bring the Integrations team into renewal conversations early whenever a customer's plans depend on a new connector.",
    ),
    (
        "stakeholder-alignment",
        "mgr",
        None,
        "Agree a quarterly plan with the two teams that depend on us most, and share a monthly written status against it.",
    ),
    (
        "stakeholder-alignment",
        "mgr",
        None,
        "Decline requests that do not fit this quarter's plan, with reasons and an alternative, instead of quietly absorbing them.",
    ),
    # delegation
    (
        "delegation",
        "eng",
        ("swe", "sre", "mobile", "integration"),
        "Hand over ownership of the release pipeline to a teammate, with a written brief and weekly check-ins, so that I am no longer the only person who can run it.",
    ),
    (
        "delegation",
        "eng",
        ("swe", "sre", "mobile", "integration"),
        "Give the on-call tooling work to a mid-level engineer as a growth project and review the outcomes, not every commit.",
    ),
    (
        "delegation",
        "eng",
        ("swe", "sre", "mobile", "integration"),
        "Let a newer engineer own the next minor release end to end, agreeing the plan with them but not the individual steps.",
    ),
    (
        "delegation",
        "design",
        ("designer",),
        "Let the senior designers run client design reviews for their own projects and join only when they ask me to.",
    ),
    (
        "delegation",
        "data",
        ("analyst",),
        "Hand the monthly board metrics pack to a teammate, with context and one dry run together, and stop re-checking every number.",
    ),
    (
        "delegation",
        "cs",
        ("csm",),
        "Pass two of my smaller accounts to a newer colleague with a proper handover, and stay available as a backup.",
    ),
    (
        "delegation",
        "mgr",
        None,
        "Hand the sprint planning meeting to a rotating facilitator from the team and step back to observe.",
    ),
    (
        "delegation",
        "mgr",
        ("Platform", "Mobile", "Integrations", "Data & Insights"),
        "Give my most senior engineer ownership of the hiring loop for the team: agree the bar together, then trust their calls.",
    ),
    (
        "delegation",
        "mgr",
        None,
        "List three recurring tasks that only I do today and hand each one to someone for whom it is a growth step, with a clear brief.",
    ),
    (
        "delegation",
        "mgr",
        ("Leadership",),
        "Stay out of the day-to-day detail of my leads' teams and ask each lead for a short weekly written summary instead.",
    ),
    # goals tied to particular roles
    (
        "giving-feedback",
        "data",
        ("data_eng",),
        "Review teammates' pipeline changes within a day and explain the failure mode behind each requested change, not only the fix.",
    ),
    (
        "clear-writing",
        "data",
        ("data_eng",),
        "Write a one-page contract for each new source table (owner, freshness, known gaps) before it lands in the warehouse.",
    ),
    (
        "decision-making",
        "data",
        ("data_eng",),
        "Choose and document a retention rule for each raw dataset we own instead of leaving the question to the governance meeting.",
    ),
    (
        "stakeholder-alignment",
        "data",
        ("data_eng",),
        "Agree freshness and quality targets with the analysts who depend on each pipeline, and publish them next to the job.",
    ),
    (
        "coaching-others",
        "data",
        ("data_eng",),
        "Pair with a newer data engineer on their first end-to-end pipeline, reviewing the design together before any code is written.",
    ),
    (
        "delegation",
        "data",
        ("data_eng",),
        "Hand on-call ownership of the ingestion jobs to a teammate after a runbook walkthrough, and step in only when asked.",
    ),
    (
        "clear-writing",
        "eng",
        ("qa",),
        "Write bug reports that give expected behavior, actual behavior and exact steps to reproduce in the first lines, so developers can start without asking.",
    ),
    (
        "decision-making",
        "eng",
        ("qa",),
        "Make the release-readiness call for minor versions myself using the agreed checklist, and explain it in the release channel.",
    ),
    (
        "stakeholder-alignment",
        "eng",
        ("solutions",),
        "Agree a written success plan with each customer's technical contact before an integration starts, and review it together at go-live.",
    ),
    (
        "clear-writing",
        "eng",
        ("solutions",),
        "Turn the questions I answer most often on customer calls into short help-center articles, one every two weeks.",
    ),
    (
        "giving-feedback",
        "design",
        ("pm",),
        "Tell engineers and designers what customers said about their work after each release, quoting the feedback rather than summarising it.",
    ),
    (
        "decision-making",
        "design",
        ("pm",),
        "Write down the decision and its reasoning at the end of every prioritisation discussion, and share it within a day.",
    ),
    (
        "clear-writing",
        "cs",
        ("support",),
        "Write customer replies that confirm the problem in one sentence, give the fix or next step, and say when they will hear from us again.",
    ),
    (
        "giving-feedback",
        "cs",
        ("support",),
        "Send engineering a monthly note on the three bugs behind most of our tickets, quoting what customers actually wrote.",
    ),
    (
        "decision-making",
        "cs",
        ("support",),
        "Decide myself when to escalate a ticket to engineering using the severity guide, and record the reason in the ticket.",
    ),
    (
        "stakeholder-alignment",
        "cs",
        ("support",),
        "Agree with each account's customer success manager how we will communicate during a major incident, before the next one happens.",
    ),
    (
        "coaching-others",
        "cs",
        ("support",),
        "Run a weekly ticket review with the newer support engineers in which they pick the tickets and I ask the questions.",
    ),
]
_used_goals: set[str] = set()


def fits_person(only: tuple[str, ...] | None, p: Person) -> bool:
    """``only`` lists teams or job families; "junior" limits a goal to IC3 and below."""
    if only is None:
        return True
    if "junior" in only:
        if p.family == "mgr" or p.rank > 3:
            return False
        only = tuple(t for t in only if t != "junior")
        if not only:
            return True
    return p.team in only or p.family in only


def allowed_competencies(p: Person) -> list[str]:
    if p.family == "mgr":
        return [
            "coaching-others",
            "delegation",
            "giving-feedback",
            "stakeholder-alignment",
            "decision-making",
            "clear-writing",
        ]
    comps = ["giving-feedback", "clear-writing", "decision-making", "stakeholder-alignment"]
    if p.rank >= 3:
        comps.append("coaching-others")
    if p.rank >= 4:
        comps.append("delegation")
    return comps


def make_goal(
    p: Person, review: date, exclude: tuple[str, ...] = (), r: random.Random = rng, bank: list | None = None
) -> dict:
    """A goal from ``bank`` (GOAL_BANK) that fits ``p``; the feedback files pass their own random stream."""
    group = GROUP[p.family]
    comps = [c for c in allowed_competencies(p) if c not in exclude]
    r.shuffle(comps)
    for comp in comps:
        texts = [
            t
            for c, g, only, t in (GOAL_BANK if bank is None else bank)
            if c == comp and g == group and fits_person(only, p) and t not in _used_goals
        ]
        if texts:
            text = r.choice(texts)
            _used_goals.add(text)
            break
    else:
        raise RuntimeError(f"goal bank exhausted for {p.id}")
    if p.family == "mgr":
        target = 4 if p.level in ("E1", "M3") or r.random() < 0.4 else 3
    elif p.rank <= 1:
        target = 2
    elif p.rank == 2:
        target = r.choice([2, 2, 3])
    elif p.rank == 3:
        target = 3
    else:
        target = r.choice([3, 4, 4])
    return {
        "person_id": p.id,
        "competency_id": comp,
        "target_level": target,
        "goal": text,
        "review_date": review.isoformat(),
    }


REVIEW_DAYS = [date(2026, 1, 12) + timedelta(days=i) for i in range(33)]
REVIEW_DAYS = [d for d in REVIEW_DAYS if d.weekday() < 5]
assert REVIEW_DAYS[-1] == date(2026, 2, 13)

without_goal = set(rng.sample(sorted(p.id for p in ALL if p is not ceo), 18)) | {ceo.id}
with_goal = [p for p in ALL if p.id not in without_goal]
two_goals = set(rng.sample(sorted(p.id for p in with_goal), 3))
goals: list[dict] = []
for p in with_goal:
    review = rng.choice(REVIEW_DAYS)
    first = make_goal(p, review)
    goals.append(first)
    if p.id in two_goals:
        goals.append(make_goal(p, review, exclude=(first["competency_id"],)))
json_people = rng.sample(sorted(pid for pid in without_goal if pid != ceo.id), 3)
json_goals = [make_goal(people[pid], rng.choice(REVIEW_DAYS)) for pid in sorted(json_people)]


# --------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------
WEEK1 = [date(2026, 3, 2) + timedelta(days=i) for i in range(5)]  # Mon..Fri
DTSTAMP = "20260220T120000Z"
busy: dict[str, list[tuple[datetime, datetime]]] = {p.id: [] for p in ALL}


def local(d: date, minutes: int, zone: str) -> datetime:
    return datetime(d.year, d.month, d.day, minutes // 60, minutes % 60, tzinfo=ZoneInfo(zone))


def inside(p: Person, start: datetime, end: datetime, lo: int, hi: int) -> bool:
    s, e = start.astimezone(ZoneInfo(p.time_zone)), end.astimezone(ZoneInfo(p.time_zone))
    return s.date() == e.date() and lo <= s.hour * 60 + s.minute and e.hour * 60 + e.minute <= hi


def fits(
    organizer: Person,
    attendees: list[Person],
    occurrences: list[tuple[datetime, datetime]],
    organizer_from: int = 9 * 60,
) -> bool:
    for start, end in occurrences:
        if not inside(organizer, start, end, organizer_from, 17 * 60 + 30):
            return False
        for a in attendees:
            if a is not organizer and not inside(a, start, end, 8 * 60, 20 * 60):
                return False
            for b_start, b_end in busy[a.id]:
                if start < b_end and b_start < end:
                    return False
    return True


def reserve(attendees: list[Person], occurrences: list[tuple[datetime, datetime]]) -> None:
    for a in attendees:
        busy[a.id].extend(occurrences)


def schedule(
    organizer: Person,
    attendees: list[Person],
    minutes: int,
    days: list[date],
    recurring: bool,
    times: list[int] | None = None,
    moved_second: int = 0,
) -> datetime:
    """Find a start (in the organizer's zone) that suits everyone; reserve and return it."""
    times = times or list(range(9 * 60, 17 * 60 + 30 - minutes + 1, 30))
    slots = [(d, t) for d in days for t in times]
    rng.shuffle(slots)
    for d, t in slots:
        start = local(d, t, organizer.time_zone)
        occ = [(start, start + timedelta(minutes=minutes))]
        if recurring:
            nxt = local(d + timedelta(days=7), t + moved_second, organizer.time_zone)
            occ.append((nxt, nxt + timedelta(minutes=minutes)))
        if fits(organizer, attendees, occ, organizer_from=min(times[0], 9 * 60)):
            if moved_second:  # keep the original slot of the moved occurrence free as well
                orig = local(d + timedelta(days=7), t, organizer.time_zone)
                if not fits(organizer, attendees, [(orig, orig + timedelta(minutes=minutes))]):
                    continue
            reserve(attendees, occ)
            return start
    raise RuntimeError(f"no slot for meeting organised by {organizer.id}")


@dataclass
class Event:
    uid: str
    summary: str
    organizer: Person
    attendees: list[Person]
    start: datetime
    minutes: int
    rrule: str | None = None
    exdate: datetime | None = None
    description: str | None = None
    override_shift: int = 0  # minutes the second occurrence is moved by
    partstat: dict[str, str] = field(default_factory=dict)


events: list[Event] = []

# All-hands: everyone, one hour, Thursday of week two, 09:00 in New York.
allhands_start = local(date(2026, 3, 12), 9 * 60, NY)
reserve(ALL, [(allhands_start, allhands_start + timedelta(hours=1))])
events.append(
    Event(
        f"nw-allhands-001@{DOMAIN}",
        "Northwind all-hands (March)",
        ceo,
        ALL,
        allhands_start,
        60,
        description="Quarterly update, new joiners, Q&A. Recorded for colleagues in "
        "Singapore; questions can be posted in advance in #all-hands.",
    )
)

# Team meetings, weekly, organised by each lead.
team_events: list[Event] = []
UNTIL = "20260315T225959Z"
for n, spec in enumerate(TEAMS, start=1):
    lead = people[lead_ids[spec.name]]
    members = [lead] + [p for p in members_of(spec.name) if p is not lead]
    minutes = rng.choice([45, 60])
    start = schedule(lead, members, minutes, WEEK1, recurring=True)
    rule = "FREQ=WEEKLY;COUNT=2" if n % 2 else f"FREQ=WEEKLY;UNTIL={UNTIL}"
    team_events.append(
        Event(f"nw-team-{n:03d}@{DOMAIN}", spec.meeting_title, lead, members, start, minutes, rrule=rule)
    )
leaders = [ceo] + [people[d] for d in director_ids.values()]
start = schedule(ceo, leaders, 60, WEEK1, recurring=True)
team_events.append(
    Event(
        f"nw-team-{len(TEAMS) + 1:03d}@{DOMAIN}",
        "Leadership weekly",
        ceo,
        leaders,
        start,
        60,
        rrule=f"FREQ=WEEKLY;UNTIL={UNTIL}",
    )
)
events += team_events

# Cross-team project kickoff (5 people) and a design review (3 people).
pm = pick([p for p in ALL if p.family == "pm"])
kick = [
    pm,
    pick([p for p in members_of("Platform") if p.family == "swe" and p.rank >= 4]),
    pick([p for p in members_of("Data & Insights") if p.family == "data_eng" and p.time_zone == BER]),
    pick([p for p in members_of("Customer Success") if p.family == "csm" and p.time_zone == NY]),
    pick([p for p in members_of("Product Design") if p.family == "designer" and p.time_zone == BER]),
]
start = schedule(pm, kick, 60, [date(2026, 3, 10)], recurring=False)
events.append(
    Event(
        f"nw-meeting-001@{DOMAIN}",
        "Project Lighthouse kickoff",
        pm,
        kick,
        start,
        60,
        description="Lighthouse: self-serve usage reports for customers.\nAgenda: goals, "
        "scope, risks; who owns what; first milestone.",
        partstat={kick[3].id: "TENTATIVE"},
    )
)
designer = pick(
    [p for p in members_of("Product Design") if p.family == "designer" and p.rank >= 4 and p.time_zone == BER]
)
review = [
    designer,
    pm,
    pick([p for p in members_of("Mobile") if p.family == "mobile" and p.rank >= 3 and p.time_zone == SG]),
]
start = schedule(designer, review, 45, [date(2026, 3, 4)], recurring=False)
events.append(Event(f"nw-meeting-002@{DOMAIN}", "Design review: onboarding checklist", designer, review, start, 45))

# 1:1s between every manager and each direct report.
pairs: list[tuple[Person, Person]] = []
for m in [ceo] + [people[d] for d in director_ids.values()] + [people[lid] for lid in lead_ids.values()]:
    for rid in m.reports:
        pairs.append((m, people[rid]))

platform_lead = people[lead_ids["Platform"]]
early_pair = next((m, r) for m, r in pairs if m is platform_lead and r.time_zone == BER)
exdate_pair = (
    people[lead_ids["Customer Success"]],
    pick([p for p in members_of("Customer Success") if p.family != "mgr" and p.time_zone == NY]),
)
override_pair = (
    people[lead_ids["Product Design"]],
    pick([p for p in members_of("Product Design") if p.family != "mgr" and p.time_zone == BER]),
)

TITLES_NAMED = ["{m} / {r} 1:1", "{r} / {m} 1:1", "1:1 {m} & {r}", "{m} <> {r}", "{r} + {m}", "{r} / {m}", "1:1: {r}"]
TITLES_PLAIN = [
    "Weekly 1:1",
    "1:1",
    "Catch-up",
    "Check-in",
    "Weekly check-in",
    "Weekly sync",
    "Coffee & catch-up",
    "Touch base",
    "{r} weekly",
]
DESCRIPTIONS = [
    "Shared notes: https://docs.northwind.example/1on1/{slug}",
    "Agenda: wins, blockers, growth; anything else on your mind.",
    "Rolling agenda in the shared doc.\nBring one thing you want feedback on.",
]

one_on_ones: dict[tuple[str, str], Event] = {}
specials = [early_pair, exdate_pair, override_pair]
ordered = specials + [pr for pr in pairs if pr not in specials]
for m, r in ordered:
    kwargs: dict = {}
    if (m, r) == early_pair:
        start = schedule(m, [m, r], 30, WEEK1, recurring=True, times=[8 * 60 + 30])
    elif (m, r) == override_pair:
        start = schedule(
            m, [m, r], 30, WEEK1, recurring=True, moved_second=60, times=list(range(9 * 60, 16 * 60 + 1, 30))
        )
        kwargs["override_shift"] = 60
    else:
        start = schedule(m, [m, r], 30, WEEK1, recurring=True)
    if (m, r) == exdate_pair:
        kwargs["exdate"] = start + timedelta(days=7)
    summary = rng.choice(TITLES_NAMED) if rng.random() < 0.5 else rng.choice(TITLES_PLAIN)
    summary = summary.format(m=m.first, r=r.first)
    if rng.random() < 0.3:
        kwargs["description"] = rng.choice(DESCRIPTIONS).format(slug=ascii_slug(r.name))
    rule = "FREQ=WEEKLY;COUNT=2" if rng.random() < 0.75 else f"FREQ=WEEKLY;UNTIL={UNTIL}"
    one_on_ones[(m.id, r.id)] = Event("", summary, m, [m, r], start, 30, rrule=rule, **kwargs)

# Number the 1:1 series in org order (manager, then report), not scheduling order.
for n, (m, r) in enumerate(pairs, start=1):
    ev = one_on_ones[(m.id, r.id)]
    ev.uid = f"nw-1on1-{n:03d}@{DOMAIN}"
    events.append(ev)
events.sort(key=lambda e: e.uid)

VTIMEZONES = {
    NY: [
        "BEGIN:VTIMEZONE",
        "TZID:America/New_York",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:-0500",
        "TZOFFSETTO:-0400",
        "TZNAME:EDT",
        "DTSTART:19700308T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:-0400",
        "TZOFFSETTO:-0500",
        "TZNAME:EST",
        "DTSTART:19701101T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
        "END:STANDARD",
        "END:VTIMEZONE",
    ],
    BER: [
        "BEGIN:VTIMEZONE",
        "TZID:Europe/Berlin",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "TZNAME:CEST",
        "DTSTART:19700329T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "TZNAME:CET",
        "DTSTART:19701025T030000",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "END:STANDARD",
        "END:VTIMEZONE",
    ],
    SG: [
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Singapore",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0800",
        "TZOFFSETTO:+0800",
        "TZNAME:+08",
        "DTSTART:19700101T000000",
        "END:STANDARD",
        "END:VTIMEZONE",
    ],
}


def ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics_param(value: str) -> str:
    return '"' + value.replace('"', "'") + '"'


def fold(line: str) -> list[str]:
    """Fold a content line so that no physical line exceeds 75 octets (RFC 5545 3.1)."""
    out, cur = [], b""
    for ch in line:
        enc = ch.encode("utf-8")
        if len(cur) + len(enc) > 75:
            out.append(cur.decode("utf-8"))
            cur = b" "
        cur += enc
    out.append(cur.decode("utf-8"))
    return out


def fmt_local(dt: datetime) -> str:
    return dt.strftime("%Y%m%dT%H%M%S")


def vevent(ev: Event, start: datetime, recurrence_id: datetime | None = None, sequence: int = 0) -> list[str]:
    tz = ev.organizer.time_zone
    end = start + timedelta(minutes=ev.minutes)
    lines = ["BEGIN:VEVENT", f"UID:{ev.uid}", f"DTSTAMP:{DTSTAMP}"]
    if recurrence_id is not None:
        lines.append(f"RECURRENCE-ID;TZID={tz}:{fmt_local(recurrence_id)}")
    lines += [f"DTSTART;TZID={tz}:{fmt_local(start)}", f"DTEND;TZID={tz}:{fmt_local(end)}"]
    if ev.rrule and recurrence_id is None:
        lines.append(f"RRULE:{ev.rrule}")
        if ev.exdate is not None:
            lines.append(f"EXDATE;TZID={tz}:{fmt_local(ev.exdate)}")
    lines.append(f"SUMMARY:{ics_text(ev.summary)}")
    if ev.description:
        lines.append(f"DESCRIPTION:{ics_text(ev.description)}")
    lines += [
        f"SEQUENCE:{sequence}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        f"ORGANIZER;CN={ics_param(ev.organizer.name)}:mailto:{ev.organizer.email}",
    ]
    for a in ev.attendees:
        role = "CHAIR" if a is ev.organizer else "REQ-PARTICIPANT"
        partstat = ev.partstat.get(a.id, "ACCEPTED")
        lines.append(
            f"ATTENDEE;CN={ics_param(a.name)};CUTYPE=INDIVIDUAL;ROLE={role};PARTSTAT={partstat}:mailto:{a.email}"
        )
    lines.append("END:VEVENT")
    return lines


def calendar_ics() -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Northwind Labs//Kairos demo calendar//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Northwind Labs demo (2026-03-02 to 2026-03-15)",
    ]
    for zone in ZONES:
        lines += VTIMEZONES[zone]
    for ev in events:
        lines += vevent(ev, ev.start, sequence=0)
        if ev.override_shift:
            original = ev.start + timedelta(days=7)
            lines += vevent(ev, original + timedelta(minutes=ev.override_shift), recurrence_id=original, sequence=1)
    lines.append("END:VCALENDAR")
    return "".join(physical + "\r\n" for line in lines for physical in fold(line))


# --------------------------------------------------------------------------
# Feedback data: the framework as a 1EdTech CASE package, a 360 campaign,
# performance reviews, check-ins and development plans. They draw on their
# own random stream, so adding them leaves every file above byte-identical.
# --------------------------------------------------------------------------
frng = random.Random(20260220)

# --- the framework as a CASE 1.1 package, from the same data as framework.yaml
CASE_HOST = "https://case.northwind.example"
CASE_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, f"{CASE_HOST}/northwind-leadership")
CASE_TITLE = "Northwind Leadership (CASE)"  # Kairos makes the framework id from it: northwind-leadership-case
CASE_VERSION = "2026.1"
CASE_CHANGED = "2026-01-05T09:00:00+00:00"


def case_id(*parts: str) -> str:
    """A stable UUID for one node of the package, so that regenerating it keeps every identifier."""
    return str(uuid.uuid5(CASE_NAMESPACE, "/".join(parts)))


def case_uri(identifier: str) -> str:
    return f"{CASE_HOST}/uri/{identifier}"


def case_link(identifier: str, title: str) -> dict:
    return {"title": title, "identifier": identifier, "uri": case_uri(identifier)}


def framework_case() -> dict:
    doc_id, type_id, rubric_id = case_id("document"), case_id("item-type", "competency"), case_id("rubric")
    document = {
        "identifier": doc_id,
        "uri": case_uri(doc_id),
        "frameworkType": "Competency framework",
        "caseVersion": "1.1",
        "creator": "Northwind Labs People Team",
        "title": CASE_TITLE,
        "lastChangeDateTime": CASE_CHANGED,
        "version": CASE_VERSION,
        "description": "The Northwind Growth Framework 2026.1 as a CASE package: one CFItem per "
        "competency, and one rubric whose levels carry the observable anchors.",
        "language": "en",
        "adoptionStatus": "Adopted",
    }
    items, associations, criteria = [], [], []
    for n, (cid, name, definition, levels) in enumerate(FRAMEWORK, start=1):
        item_id, criterion_id = case_id("item", cid), case_id("criterion", cid)
        items.append(
            {
                "identifier": item_id,
                "uri": case_uri(item_id),
                "fullStatement": definition,
                # The coding scheme becomes the Kairos competency id, the same as in framework.yaml.
                "humanCodingScheme": cid,
                "abbreviatedStatement": name,
                "listEnumeration": str(n),
                "CFItemType": "Competency",
                "CFItemTypeURI": case_link(type_id, "Competency"),
                "language": "en",
                "lastChangeDateTime": CASE_CHANGED,
            }
        )
        associations.append(
            {
                "identifier": case_id("association", cid),
                "associationType": "isChildOf",
                "uri": case_uri(case_id("association", cid)),
                "originNodeURI": case_link(item_id, name),
                "destinationNodeURI": case_link(doc_id, CASE_TITLE),
                "sequenceNumber": n,
                "lastChangeDateTime": CASE_CHANGED,
            }
        )
        criteria.append(
            {
                "identifier": criterion_id,
                "uri": case_uri(criterion_id),
                "category": name,
                "description": f"What {name[0].lower() + name[1:]} looks like at each level.",
                "CFItemURI": case_link(item_id, name),
                "position": n,
                "rubricId": rubric_id,
                "lastChangeDateTime": CASE_CHANGED,
                "CFRubricCriterionLevels": [
                    {
                        "identifier": case_id("level", cid, str(number)),
                        "uri": case_uri(case_id("level", cid, str(number))),
                        "description": "\n".join(levels[number]),  # one anchor per line
                        "quality": LEVEL_NAMES[number],
                        "score": number,
                        "position": number,
                        "rubricCriterionId": criterion_id,
                        "lastChangeDateTime": CASE_CHANGED,
                    }
                    for number in (1, 2, 3, 4)
                ],
            }
        )
    return {
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": {
            "CFItemTypes": [
                {
                    "identifier": type_id,
                    "uri": case_uri(type_id),
                    "title": "Competency",
                    "description": "A competency of the Northwind Growth Framework, with a four-level rubric.",
                    "hierarchyCode": "1",
                    "lastChangeDateTime": CASE_CHANGED,
                }
            ]
        },
        "CFRubrics": [
            {
                "identifier": rubric_id,
                "uri": case_uri(rubric_id),
                "title": "Northwind Growth Framework levels",
                "description": "Four levels per competency, from Learning to Role model.",
                "lastChangeDateTime": CASE_CHANGED,
                "CFRubricCriteria": criteria,
            }
        ],
    }


# --- shared by the 360, the reviews and the check-ins
EXPECTED_LEVEL = {
    "IC1": 1.5,
    "IC2": 2.0,
    "IC3": 2.5,
    "IC4": 3.0,
    "IC5": 3.5,
    "M1": 3.0,
    "M2": 3.0,
    "M3": 3.5,
    "E1": 4.0,
}


def clamp_level(value: float) -> int:
    return max(1, min(4, int(value + 0.5)))


def current_level(p: Person) -> int:
    return clamp_level(EXPECTED_LEVEL[p.level] + frng.choice([-1.0, -0.5, 0.0, 0.0, 0.5]))


# --- the 360 campaign
CAMPAIGN = [
    ("campaign_id", "northwind-360-2026-02"),
    ("campaign_name", "Northwind 360, February 2026"),
    ("start_date", "2026-02-02"),
    ("end_date", "2026-02-20"),
    ("scale_min", "1"),
    ("scale_max", "4"),
]
RATER_GROUPS = ("self", "manager", "peer", "direct_report")
RATING_NOISE = {
    "self": [-1, 0, 0, 1, 1],
    "manager": [-1, 0, 0, 0, 1],
    "peer": [-1, 0, 0, 1],
    "direct_report": [-1, 0, 0, 1],
}
# Comments by competency ("" for a general one): whether they go with a high (3-4) or a low (1-2)
# rating from that rater, and which rater groups could plausibly have written them.
ANY, REPORTS, NOT_MANAGER = ("manager", "peer", "direct_report"), ("direct_report",), ("peer", "direct_report")
COMMENTS_360: dict[str, list[tuple[str, tuple[str, ...], str]]] = {
    "giving-feedback": [
        ("high", ANY, "Feedback arrives within a day or two and always comes with the example it is about."),
        ("low", ANY, "Praise is generous; the harder messages sometimes come too late to act on."),
    ],
    "coaching-others": [
        ("high", NOT_MANAGER, "Asks what I think before offering an answer, which has made me much more confident."),
        (
            "low",
            NOT_MANAGER,
            "Very generous with time, though sometimes solves the problem instead of letting me work it out.",
        ),
    ],
    "clear-writing": [
        ("high", ANY, "Their written updates are the ones I forward to new joiners as examples."),
        ("low", ANY, "Chat messages are quick but often need a follow-up question before I can act on them."),
    ],
    "decision-making": [
        ("high", ANY, "Makes the call when the team is stuck and writes down why, so nobody reopens it a week later."),
        ("low", ANY, "Waits for complete information even on decisions that could easily be reversed."),
    ],
    "stakeholder-alignment": [
        ("high", ANY, "Other teams hear about risks early, never on the day of the deadline."),
        ("low", NOT_MANAGER, "Says yes to too many requests; the trade-offs land on the rest of us later."),
    ],
    "delegation": [
        ("high", REPORTS, "Hands over whole problems and then genuinely steps back."),
        ("low", REPORTS, "Delegates the task but keeps the decisions, so we keep checking back."),
    ],
    "": [
        ("high", ANY, "A reliable partner in cross-team planning."),
        ("high", NOT_MANAGER, "Calm during incidents, and that calm spreads to everyone else on the call."),
        ("high", REPORTS, "Our one-on-ones are the most useful half hour of my week."),
    ],
}


@dataclass
class Subject360:
    person: Person
    raters: list[tuple[Person, str]]  # (rater, group), self first
    competencies: list[str]
    skipped: set[tuple[str, str]] = field(default_factory=set)  # (rater id, competency) left unrated
    comments: dict[tuple[str, str], str] = field(default_factory=dict)  # (rater id, competency or "") → text


def framework_order(competencies: list[str]) -> list[str]:
    return sorted(competencies, key=COMPETENCY_IDS.index)


def team_peers(p: Person) -> list[Person]:
    return sorted((q for q in members_of(p.team) if q.id != p.id and q.id not in lead_ids.values()), key=lambda q: q.id)


directors = [people[d] for d in director_ids.values()]
leads = [people[lid] for lid in lead_ids.values()]
subjects_360: list[Subject360] = []
# Two directors, whose only peers are the two other directors: with three direct reports the
# report shows them and withholds the two peers; with one direct report the two peers and the
# report are merged into "others".
subjects_360_directors: list[Subject360] = []
for d in (max(directors, key=lambda d: len(d.reports)), min(directors, key=lambda d: len(d.reports))):
    peers = [q for q in directors if q is not d]
    raters = [(d, "self"), (people[d.manager_id], "manager")] + [(q, "peer") for q in peers]
    raters += [(people[r], "direct_report") for r in sorted(d.reports)]
    subjects_360_directors.append(Subject360(d, raters, framework_order(allowed_competencies(d))))
subjects_360 += subjects_360_directors
# Four team leads, rated by their director, three to five fellow leads and four to seven reports.
for lead in sorted(frng.sample(leads, 4), key=lambda p: p.id):
    peers = sorted(frng.sample([q for q in leads if q is not lead], frng.choice([3, 4, 5])), key=lambda q: q.id)
    reports = sorted(frng.sample(lead.reports, frng.randint(4, min(7, len(lead.reports)))))
    raters = [(lead, "self"), (people[lead.manager_id], "manager")] + [(q, "peer") for q in peers]
    raters += [(people[r], "direct_report") for r in reports]
    subjects_360.append(Subject360(lead, raters, framework_order(allowed_competencies(lead))))
# Four senior individual contributors from four teams, rated by teammates. The first has only two
# peers (withheld everywhere); one of the second's three peers skips a competency (withheld there).
ic_teams = frng.sample([t.name for t in TEAMS], 4)
ic_subjects: list[Subject360] = []
for n, team in enumerate(ic_teams):
    candidates = [p for p in members_of(team) if p.family != "mgr" and p.rank >= 3]
    ic = frng.choice(sorted(candidates, key=lambda p: p.id))
    n_peers = 2 if n == 0 else 3 if n == 1 else frng.choice([4, 5])
    peers = sorted(frng.sample(team_peers(ic), n_peers), key=lambda q: q.id)
    raters = [(ic, "self"), (people[ic.manager_id], "manager")] + [(q, "peer") for q in peers]
    subject = Subject360(ic, raters, framework_order(allowed_competencies(ic)))
    if n == 1:
        subject.skipped.add((peers[-1].id, subject.competencies[-1]))
    ic_subjects.append(subject)
thin_ic, skipping_ic = ic_subjects[0], ic_subjects[1]
subjects_360 = sorted(subjects_360 + ic_subjects, key=lambda s: s.person.id)

ratings_360: dict[tuple[str, str, str], int] = {}  # (subject, rater, competency) → rating
for s in subjects_360:
    for comp in s.competencies:
        base = clamp_level(EXPECTED_LEVEL[s.person.level] + frng.choice([-1.0, -0.5, 0.0, 0.0, 0.5]))
        for rater, group in s.raters:
            if (rater.id, comp) not in s.skipped:
                ratings_360[(s.person.id, rater.id, comp)] = max(1, min(4, base + frng.choice(RATING_NOISE[group])))

# One or two raters per subject comment, each text used once, in the tone of the rater's rating.
comment_bank = {c: frng.sample(texts, len(texts)) for c, texts in COMMENTS_360.items()}
for s in subjects_360:
    others = [(r, g) for r, g in s.raters if g != "self"]
    for rater, group in frng.sample(others, frng.randint(1, 2)):
        options = []
        for comp in s.competencies + [""]:
            rating = ratings_360.get((s.person.id, rater.id, comp))
            tone = "high" if comp == "" or (rating or 0) >= 3 else "low"
            if comp and rating is None:
                continue
            options += [(comp, text) for t, groups, text in comment_bank[comp] if t == tone and group in groups]
        if options:
            comp, text = frng.choice(options)
            comment_bank[comp] = [entry for entry in comment_bank[comp] if entry[2] != text]
            s.comments[(rater.id, comp)] = text


def three_sixty_csv() -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerows(CAMPAIGN)
    writer.writerow([])
    writer.writerow(["subject_id", "rater_id", "rater_group", "competency_id", "rating", "comment"])
    for s in subjects_360:
        for rater, group in s.raters:
            for comp in s.competencies:
                key = (s.person.id, rater.id, comp)
                comment = s.comments.get((rater.id, comp), "")
                if key in ratings_360:
                    writer.writerow([s.person.id, rater.id, group, comp, ratings_360[key], comment])
            if (rater.id, "") in s.comments:
                writer.writerow([s.person.id, rater.id, group, "", "", s.comments[(rater.id, "")]])
    return buf.getvalue()


# --- performance reviews
STRENGTHS = {
    "giving-feedback": [
        "{first}'s feedback is specific and timely, and colleagues act on it.",
        "Colleagues value {first}'s feedback: concrete examples, given within days.",
    ],
    "coaching-others": [
        "{first} grows the people nearby by asking questions rather than handing over answers.",
        "Newer colleagues name {first} as the person who helped them most this year.",
    ],
    "clear-writing": [
        "{first}'s written updates are clear enough for readers outside the team to act on without a call.",
        "{first} writes well: the point comes first and nothing important is buried.",
    ],
    "decision-making": [
        "{first} makes reversible calls quickly and writes down the reasoning.",
        "{first} brings recommendations with their trade-offs, not only options.",
    ],
    "stakeholder-alignment": [
        "Stakeholders trust {first}: they hear about risks early and know what done means.",
        "{first} keeps partner teams informed and settles conflicting requests in the open.",
    ],
    "delegation": [
        "{first} hands over whole problems with context and backs the people who take them on.",
        "{first}'s area runs smoothly without constant check-ins.",
    ],
}
GROWTH = {
    "giving-feedback": [
        "Next: raise concerns directly and sooner, instead of saving them for the review cycle.",
        "Next: make corrective feedback as specific as the praise.",
    ],
    "coaching-others": [
        "Next: hold back from solving other people's problems and ask one more question first.",
        "Next: take on a mentee and agree a development focus with them.",
    ],
    "clear-writing": [
        "Next: put the request or the conclusion first; readers still have to ask what is needed.",
        "Next: write decisions down so that colleagues in other time zones can follow without a call.",
    ],
    "decision-making": [
        "Next: decide reversible questions without waiting for approval, and say why.",
        "Next: bring a recommendation, not only the options, when escalating.",
    ],
    "stakeholder-alignment": [
        "Next: agree what done means with stakeholders at the start, not at the deadline.",
        "Next: flag scope and date risks as soon as they are known.",
    ],
    "delegation": [
        "Next: hand over whole problems rather than single tasks, and stop re-checking the work.",
        "Next: let others present the work they own.",
    ],
}


# More goals, agreed in the reviews of reviews.csv (the texts of GOAL_BANK are used up by goals.csv
# for some roles). Same shape as GOAL_BANK: (competency, group, only, text).
REVIEW_GOAL_BANK: list[tuple[str, str, tuple[str, ...] | None, str]] = [
    (
        "clear-writing",
        "eng",
        ("junior",),
        "Write each ticket update so that the next person can continue the work without asking me: what I tried, what I found, what is left.",
    ),
    (
        "giving-feedback",
        "eng",
        ("junior",),
        "Comment on at least two teammates' pull requests a week, saying what I liked as well as what I would change.",
    ),
    (
        "decision-making",
        "eng",
        ("junior", "mobile"),
        "Choose the approach for my own tickets after a short look at the options, note the choice in the ticket, and ask for review rather than permission.",
    ),
    (
        "stakeholder-alignment",
        "eng",
        ("junior",),
        "Confirm the acceptance criteria with the product manager before starting each ticket, and say at stand-up as soon as they change.",
    ),
    (
        "stakeholder-alignment",
        "eng",
        ("solutions",),
        "Bring the integration engineers into customer calls whenever a promise about a connector's behavior is about to be made.",
    ),
    (
        "giving-feedback",
        "cs",
        ("csm",),
        "After each quarterly business review, ask the account's sponsor what was most and least useful, and share the answers with the team.",
    ),
    (
        "decision-making",
        "cs",
        ("csm",),
        "Decide the renewal strategy for my accounts myself, write it down in the account plan, and bring it to my lead for challenge rather than approval.",
    ),
    (
        "coaching-others",
        "cs",
        ("csm",),
        "Mentor one newer customer success manager through a renewal, preparing each customer call together but letting them lead it.",
    ),
    (
        "delegation",
        "data",
        ("analyst",),
        "Hand the weekly KPI review to a less experienced analyst, with a walkthrough and a checklist, and review only the summary.",
    ),
    (
        "coaching-others",
        "data",
        ("analyst",),
        "Run a monthly office hour in which the junior analysts bring a problem and I ask questions until they find their own approach.",
    ),
    (
        "giving-feedback",
        "design",
        ("designer",),
        "Ask for a critique of my own work-in-progress every sprint, and tell the reviewers afterwards what I changed because of it.",
    ),
    (
        "coaching-others",
        "design",
        ("designer",),
        "Pair with a product designer on their next research synthesis and let them lead the session while I ask questions.",
    ),
    (
        "delegation",
        "mgr",
        None,
        "Hand the running of the team's release retrospective to a different engineer each time, and join only as a participant.",
    ),
    (
        "coaching-others",
        "mgr",
        None,
        "Spend the first ten minutes of every 1:1 on the report's own development question, before any status update.",
    ),
]


@dataclass
class ReviewSpec:
    person: Person
    review_date: date
    goals: list[dict]  # new goals agreed in this review, as in goals.csv
    ratings: dict[str, int]
    summary: str = ""


goal_people = {g["person_id"] for g in goals} | set(json_people)
without_any_goal = sorted(p.id for p in ALL if p.id not in goal_people and p is not ceo)
# Ten people without a goal so far get a review that agrees one (two of them agree two); five
# people whose goal is in goals.csv get the review it came from, rated but without repeating the
# goal: goals are keyed by person, competency and review date, so nothing here overlaps goals.csv.
reviewed_new = sorted(frng.sample(without_any_goal, 10))
two_goal_reviews = set(frng.sample(reviewed_new, 2))
reviewed_again = sorted(frng.sample(sorted({g["person_id"] for g in goals} - two_goals), 5))
reviews: list[ReviewSpec] = []
for pid in reviewed_new:
    p = people[pid]
    when = frng.choice(REVIEW_DAYS)
    new = [make_goal(p, when, r=frng, bank=GOAL_BANK + REVIEW_GOAL_BANK)]
    if pid in two_goal_reviews:
        new.append(make_goal(p, when, exclude=(new[0]["competency_id"],), r=frng, bank=GOAL_BANK + REVIEW_GOAL_BANK))
    reviews.append(ReviewSpec(p, when, new, {g["competency_id"]: max(1, g["target_level"] - 1) for g in new}))
for pid in reviewed_again:
    g = next(g for g in goals if g["person_id"] == pid)
    reviews.append(
        ReviewSpec(
            people[pid], date.fromisoformat(g["review_date"]), [], {g["competency_id"]: max(1, g["target_level"] - 1)}
        )
    )
for review in reviews:
    p = review.person
    focus = next(iter(review.ratings))
    others = [c for c in allowed_competencies(p) if c not in review.ratings]
    # The first other competency is the strength the summary names: rated above the goal's.
    strength, *more = frng.sample(others, frng.choice([1, 2]))
    review.ratings[strength] = min(4, max(review.ratings[focus] + 1, current_level(p)))
    for comp in more:
        review.ratings[comp] = current_level(p)
    review.summary = " ".join((frng.choice(STRENGTHS[strength]).format(first=p.first), frng.choice(GROWTH[focus])))
reviews.sort(key=lambda r: (r.review_date, r.person.id))


def reviews_csv() -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(
        ["person_id", "reviewer_id", "review_date", "competency_id", "rating", "target_level", "goal", "summary"]
    )
    for review in reviews:
        goal_of = {g["competency_id"]: g for g in review.goals}
        for n, (comp, rating) in enumerate(review.ratings.items()):
            g = goal_of.get(comp)
            writer.writerow(
                [
                    review.person.id,
                    review.person.manager_id,
                    review.review_date.isoformat(),
                    comp,
                    rating,
                    g["target_level"] if g else "",
                    g["goal"] if g else "",
                    review.summary if n == 0 else "",
                ]
            )
    return buf.getvalue()


# --- check-ins in the last week of February
GAP_NOTES = {
    "giving-feedback": [
        "Held back a concern about a teammate's work for two weeks; it came out in the retrospective instead.",
        "Feedback after the last review stayed general; the colleague could not tell what to change.",
    ],
    "coaching-others": [
        "Took over a newer colleague's stalled task instead of working through it together.",
        "The mentoring sessions turned into status updates this month.",
    ],
    "clear-writing": [
        "Last week's project update needed a call to explain it; the request was in the last paragraph.",
        "Two handovers this month came back with questions about what had changed and why.",
    ],
    "decision-making": [
        "Escalated a choice that was easy to reverse and within their own area.",
        "Waited a week for agreement on a choice that could have been undone in a day.",
    ],
    "stakeholder-alignment": [
        "A partner team heard about the changed date from someone else first.",
        "The change of scope was mentioned on the day of the deadline, not when it became known.",
    ],
    "delegation": [
        "Redid a delegated report the night before it was due.",
        "Kept hold of a task after agreeing to hand it over.",
    ],
}
FINE_NOTES = {
    "giving-feedback": [
        "Gave clear, timely feedback after the last retrospective.",
        "Thanked a colleague for a specific piece of work, in front of the team.",
    ],
    "coaching-others": [
        "Paired twice with the new joiner and let them drive.",
        "Helped a teammate plan their first presentation with questions, not answers.",
    ],
    "clear-writing": [
        "The monthly summary needed no follow-up questions.",
        "Rewrote the onboarding page; two new joiners used it without help.",
    ],
    "decision-making": [
        "Made the call on an open tooling question and wrote down why.",
        "Decided on the trial scope the same day, with the reasons in the channel.",
    ],
    "stakeholder-alignment": [
        "Agreed what done means with the main stakeholders before starting.",
        "Told the partner team about a slipping date the day it became clear.",
    ],
    "delegation": [
        "Handed a recurring task to a teammate with a clear brief.",
        "Let the owner present the work at the review and take the questions.",
    ],
}
CHECKIN_DAYS = [date(2026, 2, 23) + timedelta(days=i) for i in range(5)]  # Mon 23 .. Fri 27 February
checkins: list[dict] = []
checkin_reviewed = sorted(frng.sample([r.person.id for r in reviews if r.goals], 3))
checkin_goal_holders = sorted(frng.sample(sorted({g["person_id"] for g in goals} - set(reviewed_again)), 2))
for pid in checkin_reviewed + checkin_goal_holders:
    p = people[pid]
    review = next((r for r in reviews if r.person.id == pid and r.goals), None)
    focus = (
        review.goals[0]["competency_id"] if review else next(g for g in goals if g["person_id"] == pid)["competency_id"]
    )
    day = frng.choice(CHECKIN_DAYS)
    severity = frng.choice(["medium", "high"] if review else ["low", "medium"])
    rows = [(focus, severity, frng.choice(GAP_NOTES[focus]))]
    if frng.random() < 0.6:
        fine = frng.choice([c for c in allowed_competencies(p) if c != focus])
        note = frng.choice([n for n in FINE_NOTES[fine] if all(c["note"] != n for c in checkins)])
        rows.append((fine, "none", note))
    for comp, sev, note in rows:
        checkins.append(
            {"person_id": pid, "checkin_date": day.isoformat(), "competency_id": comp, "severity": sev, "note": note}
        )
checkins.sort(key=lambda c: (c["checkin_date"], c["person_id"], c["competency_id"]))


def checkins_csv() -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, ["person_id", "checkin_date", "competency_id", "severity", "note"], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(checkins)
    return buf.getvalue()


# --- development plans for some of the people with a new goal
PLAN_ACTIONS = {
    "giving-feedback": [
        "Give one piece of specific feedback a week, naming the example and its effect, and note it in the 1:1 doc.",
        "Ask two colleagues each month for feedback on one piece of my work, and act on one point.",
        "Raise the next concern about a colleague's work within two days, in person.",
        "Rehearse the next difficult conversation with my manager before having it.",
    ],
    "coaching-others": [
        "Pair with a newer colleague once a week and let them drive.",
        "In each mentoring session, ask at least two open questions before offering advice.",
        "Agree a written development focus with my mentee and review it monthly.",
        "Sit in on two coaching sessions run by an experienced mentor and debrief afterwards.",
    ],
    "clear-writing": [
        "Put the request or conclusion in the first two lines of every update.",
        "Have one design note a month read cold by someone outside the team, and answer every open question in the text.",
        "Rewrite one old runbook or help article using the team's writing guide.",
        "Keep a list of the follow-up questions my messages get, and review it with my manager.",
    ],
    "decision-making": [
        "Keep a short decision log for my area and link it in the team channel.",
        "For every escalation, bring a recommendation and two costed options.",
        "Mark each open question as one-way or two-way, and decide the two-way ones within a day.",
        "Review three past decisions with my manager: what we knew, what we chose and what we learned.",
    ],
    "stakeholder-alignment": [
        "Hold a short kickoff with the main stakeholders before each project and write down what done means.",
        "Send a fortnightly written update to stakeholders in other time zones.",
        "Flag every scope or date risk within a day of knowing it, with options.",
        "Map the stakeholders of my next project and check the map with my manager.",
    ],
    "delegation": [
        "Hand one recurring task to a teammate with a written brief and agreed check-in points.",
        "Let the owner present the next piece of delegated work and take the questions.",
        "List what I re-check after delegating, and stop doing one of those checks.",
        "Agree with my manager which decisions my team can make without me.",
    ],
}
PLAN_DUE = [
    date(2026, 3, 20),
    date(2026, 4, 3),
    date(2026, 4, 24),
    date(2026, 5, 15),
    date(2026, 6, 5),
    date(2026, 6, 26),
]
plan_people = checkin_reviewed + sorted(two_goal_reviews - set(checkin_reviewed))[:1]
plans: list[dict] = []
for pid in sorted(plan_people):
    review = next(r for r in reviews if r.person.id == pid and r.goals)
    chosen: list[tuple[dict, str]] = []
    for g in review.goals:
        # Actions no one else has yet first, so that the plans read as individual ones.
        fresh = [a for a in PLAN_ACTIONS[g["competency_id"]] if all(p["action"] != a for p in plans)]
        spare = [a for a in PLAN_ACTIONS[g["competency_id"]] if a not in fresh]
        n = frng.choice([2, 3])
        picked = frng.sample(fresh, min(n, len(fresh)))
        chosen += [(g, a) for a in picked + frng.sample(spare, n - len(picked))]
    # The person's actions are spread over the spring, one due date each.
    for (g, action), due in zip(chosen, sorted(frng.sample(PLAN_DUE, len(chosen))), strict=True):
        plans.append(
            {
                "person_id": pid,
                "competency_id": g["competency_id"],
                "target_level": g["target_level"],
                "action": action,
                "due_date": due.isoformat(),
            }
        )


def plans_csv() -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, ["person_id", "competency_id", "target_level", "action", "due_date"], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(plans)
    return buf.getvalue()


def feedback_readme() -> str:
    """The README's sections on the files above."""

    def who(pid: str) -> str:
        return f"{people[pid].name} ({pid})"

    def names(ids: list[str]) -> str:
        listed = [who(pid) for pid in ids]
        return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]

    groups = {g: sum(1 for s in subjects_360 for _, grp in s.raters if grp == g) for g in RATER_GROUPS}
    n_ratings, n_comments = len(ratings_360), sum(len(s.comments) for s in subjects_360)
    respondents = {s.person.id: len(s.raters) - 1 for s in subjects_360}
    with_comments = [s.person.id for s in subjects_360 if s.comments]
    shown = [pid for pid in with_comments if respondents[pid] >= 10]
    withheld = [pid for pid in with_comments if respondents[pid] < 10]
    dir_withheld, dir_merged = subjects_360_directors
    skipped_rater, skipped_comp = next(iter(skipping_ic.skipped))
    new_goals = [g for r in reviews for g in r.goals]
    two = sorted(r.person.id for r in reviews if len(r.goals) == 2)
    still_without = [pid for pid in without_any_goal if pid not in reviewed_new]
    gaps = [c for c in checkins if c["severity"] != "none"]
    gap_list = "; ".join(f"{c['person_id']}: {c['competency_id']}, {c['severity']}" for c in gaps)
    review_days = sorted(r.review_date for r in reviews)
    plan_ids = sorted({p["person_id"] for p in plans})
    due = sorted(p["due_date"] for p in plans)
    campaign = dict(CAMPAIGN)
    return f"""## The framework as a CASE package

`framework.case.json` is the same framework as a 1EdTech CASE 1.1 package, written by
`generate.py` from the same definitions, levels and anchors as `framework.yaml`, so the two
cannot drift apart. The `CFDocument` is titled "{CASE_TITLE}", version {CASE_VERSION}, which
Kairos turns into the framework `northwind-leadership-case`, a separate framework from
`northwind-leadership`. There is one `CFItem` per competency, each a child (`isChildOf`) of the
document in the framework's order; its `humanCodingScheme` is the competency id, so the ids are
the same as in the YAML (Kairos names each competency after its code and short statement, such
as "giving-feedback Giving feedback"). One `CFRubric` has a criterion per competency with four
levels: `quality` is the level name, `score` the level number, and `description` the level's
anchors, one per line. Every competency has a rubric, so `kairos import framework
examples/demo-org/framework.case.json` needs no options. Identifiers are stable UUIDs (version 5).

## The 360 campaign

`three-sixty.csv` is the campaign `{campaign["campaign_id"]}` ("{campaign["campaign_name"]}",
{campaign["start_date"]} to {campaign["end_date"]}), rated 1–4, the framework's level scale, so its
ratings count as evidence of a person's level. It covers {len(subjects_360)} people: two directors,
four team leads and four senior individual contributors, each rated on the competencies that fit
their role (all six for managers). There are {sum(groups.values())} rater responses
({groups["self"]} self, {groups["manager"]} manager, {groups["peer"]} peer,
{groups["direct_report"]} direct report), {n_ratings} ratings and {n_comments} comments.
Everyone rates themselves and is rated by their manager; the directors also by the other two
directors and their direct reports, the leads by three to five fellow leads and four to seven of
their reports, the individual contributors by two to five teammates. Some subjects have too few raters on purpose, so that the
anonymity rules (at least 3 peers or direct reports per group, at least 10 respondents before
comments are shown) visibly apply:

- {who(dir_withheld.person.id)} has two peers (the other directors) and
  {sum(1 for _, g in dir_withheld.raters if g == "direct_report")} direct reports: the direct
  reports are shown, the two peers are withheld.
- {who(dir_merged.person.id)} has two peers and one direct report: together they reach three and
  are shown as `others`.
- {who(thin_ic.person.id)} is rated by only two peers and has no reports: the peers are withheld
  on every competency.
- {who(skipping_ic.person.id)} has three peers, but {who(skipped_rater)} left `{skipped_comp}`
  unrated: peers are shown on every other competency and withheld on that one.
- Comments are shown for {names(shown)}, who had at least 10 respondents, and withheld for
  {names(withheld)}.

## Reviews, check-ins and development plans

`reviews.csv` holds {len(reviews)} performance reviews dated {review_days[0]} to {review_days[-1]},
each by the person's manager in `people.csv`, with ratings, a summary and, for most, goals. Ten
reviews are of people who had no goal in `goals.csv` or `goals.json` ({names(reviewed_new)}); they
agree {len(new_goals)} new goals, two each for {names(two)}. Five reviews ({names(reviewed_again)})
are the reviews the `goals.csv` goals came from, on the same date: they rate the goal's
competency but do not repeat the goal. Goals are keyed by person, competency and review date, so
no review goal overlaps a goal of `goals.csv`. Every review rates the goal's competency one
level below its target, plus one or two other competencies. After the reviews,
{len(still_without) + 1} people have no development goal: the CEO, {names(still_without)}.

`check-ins.csv` records {len(checkins)} competencies discussed in check-ins between 2026-02-23 and
2026-02-27 with {len({c["person_id"] for c in checkins})} people; {len(gaps)} of the {len(checkins)} flag a
skill gap ({gap_list}), each on
the competency of the person's goal, and the others are marked `none`.

`plans.csv` holds the development plans of {len(plan_ids)} people with a new goal
({names(plan_ids)}): for each goal, the goal's competency and target level with two or three
actions, {len(plans)} actions in all, due between {due[0]} and {due[-1]}.
"""


# --------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------
def reflow(markdown: str, width: int = 92) -> str:
    """Re-wrap paragraphs and list items; leave headings and tables alone."""
    wrap = dict(width=width, break_long_words=False, break_on_hyphens=False)
    blocks = []
    for block in markdown.strip().split("\n\n"):
        if block.startswith(("#", "|")):
            blocks.append(block)
        elif block.startswith("- "):
            items = ("\n" + block).split("\n- ")[1:]
            blocks.append(
                "\n".join(
                    textwrap.fill(" ".join(item.split()), initial_indent="- ", subsequent_indent="  ", **wrap)
                    for item in items
                )
            )
        else:
            blocks.append(textwrap.fill(" ".join(block.split()), **wrap))
    return "\n\n".join(blocks) + "\n"


def readme() -> str:
    zone_counts = {z: sum(1 for p in ALL if p.time_zone == z) for z in ZONES}
    team_rows = []
    for spec in TEAMS:
        lead = people[lead_ids[spec.name]]
        team = members_of(spec.name)
        elsewhere = [p for p in team if p.time_zone != spec.zone]
        where = ", ".join(f"{p.name} ({p.location})" for p in elsewhere) or "none"
        team_rows.append(f"| {spec.name} | {lead.name} ({lead.id}) | {spec.zone} | {len(team)} | {where} |")
    directors = "; ".join(
        f"{people[d].name} ({d}), {people[d].role}, {people[d].location}" for d in director_ids.values()
    )
    promo = "\n".join(
        f"- {p.name} ({p.id}, {p.team}): {p.level} {p.role} → {lvl} {role}" for p, lvl, role in promotions
    )
    mv = "\n".join(
        f"- {p.name} ({p.id}) moves from {p.team} ({people[p.manager_id].name}, "
        f"{p.manager_id}) to {team} ({people[mid].name}, {mid})"
        for p, mid, team in moves
    )
    ex_m, ex_r = exdate_pair
    ov_m, ov_r = override_pair
    ea_m, ea_r = early_pair
    ex_ev, ov_ev, ea_ev = (one_on_ones[(a.id, b.id)] for a, b in (exdate_pair, override_pair, early_pair))
    accented = [p.name for p in ALL if not p.name.isascii()]
    n_series = len(pairs)
    no_tag = sum(1 for (m, r) in pairs if "1:1" not in one_on_ones[(m.id, r.id)].summary)
    people_with_goals = len({g["person_id"] for g in goals})
    expanded = 2 * n_series - 1 + 2 * len(team_events) + 3

    def when(dt: datetime) -> str:
        return dt.strftime("%a %Y-%m-%d %H:%M")

    return f"""# Northwind Labs demo organization

Northwind Labs is a fictional software and services company of {len(ALL)} people, used to
demonstrate and test Kairos end to end. Every name, email address, competency definition and
goal in this folder is invented. The files are produced by `generate.py` (standard library only,
seeded with `random.Random(2026)`); run `python examples/demo-org/generate.py` to regenerate them
byte for byte.

## People and teams

{ceo.name} ({ceo.id}) is the CEO, based in New York. Three directors report to the CEO:
{directors}. The CEO and directors carry the team name `{LEADERSHIP}`; everybody else belongs to
one of six teams, each with a lead who reports to a director:

| Team | Lead | Home zone | People (incl. lead) | Based elsewhere |
|---|---|---|---|---|
{chr(10).join(team_rows)}

By time zone: {zone_counts[NY]} in `America/New_York`, {zone_counts[BER]} in `Europe/Berlin`,
{zone_counts[SG]} in `Asia/Singapore`. Levels are `IC1`–`IC5` for individual contributors,
`M1`–`M3` for leads and directors and `E1` for the CEO. `people.csv` is saved the way Excel
saves it: UTF-8 with a byte-order mark and CRLF line endings. Names use non-ASCII letters
({", ".join(accented[:4])}…) while email addresses are plain ASCII, and one role,
"Director, Customer Operations", contains a comma and is therefore quoted.

## The second snapshot

`people-2026-03-04.csv` is the same organization two weeks later. Nobody joined or left; the
only differences are three promotions and two manager changes.

Promotions (level and title):

{promo}

Manager changes (the person's team changes with the manager; location and time zone stay):

{mv}

## Framework and goals

`framework.yaml` is the Northwind Growth Framework `northwind-leadership`, version 2026.1:
six competencies ({", ".join(COMPETENCY_IDS)}), each with four levels (Learning, Practising,
Skilled, Role model) and two or three observable anchors per level.

`goals.csv` holds {len(goals)} goals for {people_with_goals} people from the review cycle between
2026-01-12 and 2026-02-13; {len(two_goals)} people have two goals. `goals.json` adds
{len(json_goals)} goals for people who have none in the CSV ({", ".join(sorted(json_people))}).
After both files, {len(ALL) - people_with_goals - len(json_goals)} people, including the CEO,
have no development goal.

## Calendar

`calendar.ics` covers Monday 2026-03-02 to Sunday 2026-03-15 and defines VTIMEZONEs for the
three zones. New York switches to daylight time on Sunday 2026-03-08, in the middle of the
window, so a weekly meeting in New York moves an hour earlier for Berlin and Singapore in the
second week; Berlin does not switch until 2026-03-29 and Singapore never does.

It contains {n_series} weekly 1:1 series (every manager with each direct report, 30 minutes,
two occurrences each, `nw-1on1-NNN`), {len(team_events)} weekly team meetings including the
leadership meeting (`nw-team-NNN`), a project kickoff with five people and a design review
with three (`nw-meeting-NNN`), and an all-hands with all {len(ALL)} people on
{when(allhands_start)} New York time (21:00 in Singapore; it is recorded for them). Expanded,
that is {expanded} occurrences. 1:1 titles vary on purpose, and {no_tag} of the {n_series}
series have no "1:1" in the title, so recognizing them has to rely on the two attendees and the
reporting line. 1:1s are scheduled in the manager's zone between 09:00 and 17:30 local time and
inside 08:00–20:00 for the report, with these deliberate cases:

- `{ex_ev.uid}` ({ex_m.name} with {ex_r.name}) has an `EXDATE`: the second occurrence on
  {when(ex_ev.exdate)} ({ex_m.time_zone}) is cancelled, so it expands to one occurrence.
- `{ov_ev.uid}` ({ov_m.name} with {ov_r.name}) has a `RECURRENCE-ID` override: the second
  occurrence moves from {when(ov_ev.start + timedelta(days=7))} to
  {when(ov_ev.start + timedelta(days=7, minutes=60))} ({ov_m.time_zone}).
- `{ea_ev.uid}` ({ea_m.name} in New York with {ea_r.name} in {ea_r.location}) starts at 08:30
  for the manager, before the usual working day, because it is the afternoon in Germany.
- The Mobile and Integrations leads run their 1:1s in `Asia/Singapore`; their Berlin-based
  reports meet them in the Berlin morning.

One invitee of the kickoff has answered `TENTATIVE`; every other attendance is `ACCEPTED`. Some
series use `COUNT=2`, others `UNTIL=20260315T225959Z`, and a few events carry descriptions with
escaped commas, semicolons and line breaks. The calendar reflects the organization of
`people.csv`: the manager changes of the second snapshot are not yet visible in it.
"""


# --------------------------------------------------------------------------
# Write everything
# --------------------------------------------------------------------------
# --- behavioral assessments -------------------------------------------------------------------------------
# Mixed instruments, as organizations really hold them: DISC from an old onboarding programme,
# CliftonStrengths for the product side, Insights Discovery in Berlin, Big Five and Enneagram for a few.
# About one person in eight has none: the product must work without them.

STRENGTHS = {
    "executing": ["Achiever", "Arranger", "Belief", "Consistency", "Deliberative", "Discipline", "Focus",
                  "Responsibility", "Restorative"],
    "influencing": ["Activator", "Command", "Communication", "Competition", "Maximizer", "Self-Assurance",
                    "Significance", "Woo"],
    "relationship": ["Adaptability", "Connectedness", "Developer", "Empathy", "Harmony", "Includer",
                     "Individualization", "Positivity", "Relator"],
    "strategic": ["Analytical", "Context", "Futuristic", "Ideation", "Input", "Intellection", "Learner", "Strategic"],
}
ENNEAGRAM_WINGS = {1: (9, 2), 2: (1, 3), 3: (2, 4), 4: (3, 5), 5: (4, 6), 6: (5, 7), 7: (6, 8), 8: (7, 9), 9: (8, 1)}
COLOURS = ("red", "yellow", "green", "blue")


def assessment_files() -> dict[str, str]:
    arng = random.Random(20260301)
    rows: dict[str, list[list[str]]] = {name: [] for name in ("disc", "cliftonstrengths", "insights", "big-five",
                                                              "enneagram")}
    for p in ALL:
        draw = arng.random()
        if draw < 0.12:
            continue  # no assessment on record
        lean = arng.choice(["D", "I", "S", "C"])
        if draw < 0.45:
            scores = {k: arng.randint(20, 60) for k in "DISC"}
            scores[lean] = arng.randint(72, 94)
            rows["disc"].append([p.id, p.name, "2025-10-14", *(str(scores[k]) for k in "DISC")])
        elif draw < 0.70:
            domain = {"D": "influencing", "I": "relationship", "S": "executing", "C": "strategic"}[lean]
            top = arng.sample(STRENGTHS[domain], 3)
            rest = [t for ts in STRENGTHS.values() for t in ts if t not in top]
            arng.shuffle(rest)
            rows["cliftonstrengths"].append([p.email, "2025-11-20", *(top + rest)])
        elif draw < 0.85:
            colour = {"D": "red", "I": "yellow", "S": "green", "C": "blue"}[lean]
            energies = {c: round(arng.uniform(1.0, 3.6), 1) for c in COLOURS}
            energies[colour] = round(arng.uniform(4.4, 5.9), 1)
            rows["insights"].append([p.id, "2026-01-12", *(str(energies[c]) for c in COLOURS)])
        else:
            traits = [arng.randint(15, 85) for _ in range(5)]
            rows["big-five"].append([p.id, "2025-12-03", *(str(t) for t in traits)])
        if arng.random() < 0.15:
            kind = arng.randint(1, 9)
            rows["enneagram"].append([p.id, str(kind), str(arng.choice(ENNEAGRAM_WINGS[kind])), "2025-09-18"])
    headers = {
        "disc": ["person_id", "name", "taken_on", "D", "I", "S", "C"],
        "cliftonstrengths": ["Email", "taken_on", *(f"Theme {n}" for n in range(1, 35))],
        "insights": ["person_id", "taken_on", *COLOURS],
        "big-five": ["person_id", "taken_on", "openness", "conscientiousness", "extraversion", "agreeableness",
                     "neuroticism"],
        "enneagram": ["person_id", "type", "wing", "taken_on"],
    }
    files = {}
    for name, body in rows.items():
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(headers[name])
        writer.writerows(body)
        files[f"{name}.csv"] = buf.getvalue()
    return files


def main() -> None:
    write_people(HERE / "people.csv", [person_row(p) for p in ALL])
    promo_map = {p.id: (lvl, role) for p, lvl, role in promotions}
    move_map = {p.id: (mid, team) for p, mid, team in moves}
    rows = []
    for p in ALL:
        override: dict[str, str] = {}
        if p.id in promo_map:
            override.update(level=promo_map[p.id][0], role=promo_map[p.id][1])
        if p.id in move_map:
            override.update(manager_id=move_map[p.id][0], team=move_map[p.id][1])
        rows.append(person_row(p, **override))
    write_people(HERE / "people-2026-03-04.csv", rows)

    (HERE / "framework.yaml").write_text(framework_yaml(), encoding="utf-8", newline="\n")

    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, ["person_id", "competency_id", "target_level", "goal", "review_date"], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(goals)
    (HERE / "goals.csv").write_text(buf.getvalue(), encoding="utf-8", newline="")
    (HERE / "goals.json").write_text(
        json.dumps({"goals": json_goals}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n"
    )

    (HERE / "calendar.ics").write_bytes(calendar_ics().encode("utf-8"))
    (HERE / "framework.case.json").write_text(
        json.dumps(framework_case(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n"
    )
    (HERE / "three-sixty.csv").write_text(three_sixty_csv(), encoding="utf-8", newline="")
    (HERE / "reviews.csv").write_text(reviews_csv(), encoding="utf-8", newline="")
    (HERE / "check-ins.csv").write_text(checkins_csv(), encoding="utf-8", newline="")
    (HERE / "plans.csv").write_text(plans_csv(), encoding="utf-8", newline="")
    (HERE / "README.md").write_text(reflow(readme() + "\n" + feedback_readme()), encoding="utf-8", newline="\n")
    (HERE / "assessments").mkdir(exist_ok=True)
    for name, text in assessment_files().items():
        (HERE / "assessments" / name).write_text(text, encoding="utf-8", newline="")


if __name__ == "__main__":
    main()
