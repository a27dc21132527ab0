"""Deterministic synthetic inputs for the benchmark: a people CSV, a week of calendar, goals.

Everything is driven by ``random.Random(seed)`` so a run with the same sizes writes the same
files. The organization is a realistic reporting tree: each manager has 5–10 direct reports
(the last manager filled may have fewer), most reports share their manager's time zone.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

ZONES: dict[str, list[str]] = {
    "America/New_York": ["New York", "Boston", "Atlanta"],
    "America/Chicago": ["Chicago", "Austin"],
    "America/Los_Angeles": ["San Francisco", "Seattle"],
    "America/Sao_Paulo": ["São Paulo"],
    "Europe/London": ["London", "Manchester"],
    "Europe/Berlin": ["Berlin", "Munich", "Hamburg"],
    "Europe/Warsaw": ["Warsaw", "Kraków"],
    "Asia/Kolkata": ["Bengaluru", "Pune"],
    "Asia/Singapore": ["Singapore"],
    "Australia/Sydney": ["Sydney", "Melbourne"],
}
FIRST = [
    "Emily",
    "Marcus",
    "Jordan",
    "Rachel",
    "Lucía",
    "Mateo",
    "João",
    "Beatriz",
    "Lukas",
    "Hannah",
    "Jörg",
    "Elif",
    "Burak",
    "Piotr",
    "Agnieszka",
    "Aoife",
    "Declan",
    "Priya",
    "Arjun",
    "Wei",
    "Mei",
    "Kofi",
    "Amara",
    "Chloé",
    "Théo",
    "Sofia",
    "Noah",
    "Yuki",
    "Haruto",
    "Fatima",
    "Omar",
    "Ingrid",
    "Lars",
]
LAST = [
    "Bennett",
    "Foster",
    "Morales",
    "Herrera",
    "Souza",
    "Carvalho",
    "Schneider",
    "Krüger",
    "Yılmaz",
    "Şahin",
    "Nowak",
    "Wójcik",
    "O'Connell",
    "Byrne",
    "Sharma",
    "Iyer",
    "Chen",
    "Tan",
    "Owusu",
    "Mensah",
    "Dubois",
    "Lefèvre",
    "Rossi",
    "Bianchi",
    "Sato",
    "Tanaka",
    "Haddad",
    "Nasser",
    "Lindqvist",
    "Berg",
]
IC_ROLES = [
    "Software Engineer",
    "Product Designer",
    "Data Analyst",
    "Support Specialist",
    "Account Executive",
    "QA Engineer",
    "Site Reliability Engineer",
    "Technical Writer",
    "Recruiter",
    "Financial Analyst",
]

PEOPLE_COLUMNS = ["id", "name", "email", "manager_id", "role", "level", "team", "location", "time_zone", "start_date"]
GOAL_COLUMNS = ["person_id", "competency_id", "target_level", "goal", "review_date"]

# The benchmark week: Monday 2 March to Sunday 8 March 2026.
WEEK_START = date(2026, 3, 2)
# Meetings sit on half-hour slots between 09:00 and 17:00 local, Monday to Friday.
SLOTS = [(day, time(9 + m // 60, m % 60)) for day in range(5) for m in range(0, 8 * 60, 30)]


@dataclass(frozen=True, slots=True)
class Org:
    rows: list[dict[str, str]]  # CSV rows in file order
    reports: dict[str, list[str]]  # manager id -> direct report ids

    @property
    def by_id(self) -> dict[str, dict[str, str]]:
        return {r["id"]: r for r in self.rows}


def make_org(n: int, seed: int = 2026) -> Org:
    """``n`` people in a tree; ids ``p0000001``…, unique emails, ISO start dates."""
    rng = random.Random(seed)
    ids = [f"p{i:07d}" for i in range(1, n + 1)]
    manager: dict[str, str | None] = {ids[0]: None}
    depth = {ids[0]: 0}
    reports: dict[str, list[str]] = {}
    boss, quota = 0, rng.randint(5, 10)
    for i in range(1, n):
        if len(reports.get(ids[boss], ())) >= quota:
            boss, quota = boss + 1, rng.randint(5, 10)
        manager[ids[i]] = ids[boss]
        depth[ids[i]] = depth[ids[boss]] + 1
        reports.setdefault(ids[boss], []).append(ids[i])
    zone_names = list(ZONES)
    zone: dict[str, str] = {}
    rows: list[dict[str, str]] = []
    for i, pid in enumerate(ids):
        boss_id = manager[pid]
        if boss_id is None or rng.random() < 0.2:
            zone[pid] = rng.choice(zone_names)
        else:
            zone[pid] = zone[boss_id]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        local = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
        local = local.encode("ascii", "ignore").decode() or "person"
        is_manager = pid in reports
        level = f"M{max(1, 5 - depth[pid])}" if is_manager else f"L{rng.randint(1, 5)}"
        role = "Engineering Manager" if is_manager else rng.choice(IC_ROLES)
        start = date(2010, 1, 1) + timedelta(days=rng.randrange(0, 5900))
        rows.append(
            {
                "id": pid,
                "name": f"{first} {last}",
                "email": f"{local}.{i + 1}@bench.example",
                "manager_id": boss_id or "",
                "role": role,
                "level": level,
                "team": f"Team {boss_id or pid}",
                "location": rng.choice(ZONES[zone[pid]]),
                "time_zone": zone[pid],
                "start_date": start.isoformat(),
            }
        )
    return Org(rows, reports)


def write_people_csv(org: Org, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=PEOPLE_COLUMNS)
        writer.writeheader()
        writer.writerows(org.rows)


def _line(name: str, value: str) -> str:
    return f"{name}:{value}"


def calendar_window(weeks: int = 1) -> tuple[datetime, datetime]:
    """The window the benchmark expands: ``weeks`` weeks from Monday 2 March 2026 00:00 UTC."""
    start = datetime.combine(WEEK_START, time(0), tzinfo=UTC)
    return start, start + timedelta(weeks=weeks)


def write_calendar(org: Org, path: Path, seed: int = 2026, *, per_person: int = 0, weeks: int = 1) -> dict[str, float]:
    """One week of meetings as weekly recurring series that started four weeks earlier.

    Each manager has a 1:1 with every direct report and one team meeting, on distinct
    half-hour slots, written in the manager's zone (``DTSTART;TZID=…``). VTIMEZONE
    components for the zones used come from icalendar itself. Returns expected counts.

    With ``per_person`` (a busy calendar, see ``_busy_meetings``), ``weeks`` weeks from ``WEEK_START`` of about
    that many meetings a person a week; the counts then include the occurrences expected in
    ``calendar_window(weeks)`` and the mean meetings a person attends a week.
    """
    rng = random.Random(seed + 1)
    by_id = org.by_id
    used_zones = sorted({r["time_zone"] for r in org.rows})
    parts = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Kairos bench//synthetic week//EN", "CALSCALE:GREGORIAN"]
    # icalendar folds and terminates lines with CRLF; keep our own lines consistent with it
    body: list[str] = [icalendar.Timezone.from_tzid(z).to_ical().decode().rstrip("\r\n") for z in used_zones]
    one_on_ones = team_meetings = 0
    series_start = WEEK_START - timedelta(weeks=4)
    zones = {z: ZoneInfo(z) for z in used_zones}
    window = calendar_window(weeks)
    tally = {"occurrences": 0, "attendances": 0}

    def event(
        uid: str,
        summary: str,
        organizer: dict[str, str],
        attendees: list[dict[str, str]],
        slot: tuple[int, time],
        *,
        first_day: date = series_start,
        repeat: str | None = "FREQ=WEEKLY",
        minutes: int = 30,
        external: tuple[str, ...] = (),
    ) -> None:
        day, at = slot
        start = datetime.combine(first_day + timedelta(days=day), at)
        end = start + timedelta(minutes=minutes)
        tz = organizer["time_zone"]
        lines = [
            "BEGIN:VEVENT",
            _line("UID", uid),
            "DTSTAMP:20260201T120000Z",
            f"DTSTART;TZID={tz}:{start:%Y%m%dT%H%M%S}",
            f"DTEND;TZID={tz}:{end:%Y%m%dT%H%M%S}",
        ]
        if repeat is not None:
            lines.append(_line("RRULE", repeat))
        lines += [
            _line("SUMMARY", summary),
            "STATUS:CONFIRMED",
            f'ORGANIZER;CN="{organizer["name"]}":mailto:{organizer["email"]}',
        ]
        for a in attendees:
            lines.append(f'ATTENDEE;CN="{a["name"]}";PARTSTAT=ACCEPTED:mailto:{a["email"]}')
        for email in external:
            lines.append(f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{email}")
        lines.append("END:VEVENT")
        body.append("\r\n".join(_fold(line) for line in lines))
        seen = sum(1 for _ in occurrences(start, zones[tz], repeat, window))
        tally["occurrences"] += seen
        tally["attendances"] += seen * len(attendees)

    busy: dict[str, set[int]] = {r["id"]: set() for r in org.rows}  # slot numbers (see SLOTS) taken each week
    slot_number = {slot: n for n, slot in enumerate(SLOTS)}
    for manager_id, report_ids in org.reports.items():
        m = by_id[manager_id]
        slots = rng.sample(SLOTS, len(report_ids) + 1)
        for rid, slot in zip(report_ids, slots, strict=False):
            r = by_id[rid]
            event(
                f"1on1-{manager_id}-{rid}@bench.example",
                f"{m['name'].split()[0]} / {r['name'].split()[0]} 1:1",
                m,
                [m, r],
                slot,
            )
            busy[manager_id].add(slot_number[slot])
            busy[rid].add(slot_number[slot])
            one_on_ones += 1
        event(
            f"team-{manager_id}@bench.example",
            f"Team weekly sync (Team {manager_id})",
            m,
            [m, *(by_id[rid] for rid in report_ids)],
            slots[-1],
        )
        for pid in (manager_id, *report_ids):
            busy[pid].add(slot_number[slots[-1]])
        team_meetings += 1
    counts = {"one_on_ones": one_on_ones, "team_meetings": team_meetings}
    if per_person > 0:
        counts.update(_busy_meetings(org, event, busy, per_person, weeks, random.Random(seed + 3)))
        counts.update(tally)
        counts["meetings_per_person_week"] = round(tally["attendances"] / (len(org.rows) * weeks), 1)
    text = "\r\n".join(parts + body + ["END:VCALENDAR"]) + "\r\n"
    path.write_text(text, encoding="utf-8", newline="")
    return counts


def occurrences(
    start: datetime, zone: ZoneInfo, repeat: str | None, window: tuple[datetime, datetime]
) -> list[datetime]:
    """The local starts of a generated event (``start`` local, ``repeat`` one of the RRULEs written here) that
    fall inside the UTC ``window``. Series start four weeks before ``WEEK_START``."""
    if repeat is None:
        candidates = [start]
    else:
        days = (0,) if "BYDAY" not in repeat else range(repeat.split("BYDAY=")[1].count(",") + 1)
        span = (window[1] - window[0]).days // 7 + 6
        candidates = [start + timedelta(weeks=w, days=d) for w in range(span) for d in days]
    return [c for c in candidates if window[0] <= c.replace(tzinfo=zone).astimezone(UTC) < window[1]]


# A busy calendar (``write_calendar(…, per_person=30)``). Besides each manager's weekly 1:1s and team meeting:
STANDUP = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"  # each team's 15-minute daily stand-up, starting 09:00–10:30 local
GROUPS_PER_PERSON = 3  # weekly recurring cross-team meetings a person attends (3–8 people each)
PEER_ONE_ON_ONES = 1  # weekly recurring 1:1s with a colleague picked at random, per person on average
# Then, each week, one-off meetings until people reach about ``per_person`` meetings that week:
ONE_OFF_SIZES = ((2, 45), (3, 25), (4, 15), (5, 8), (6, 7))  # attendees from the organization, weight
LOCAL_SHARE = 0.5  # of a person's one-off meetings, the share with their own team (the rest: anyone)
CAREER_REVIEWS = 0.02  # share of reports who have a career review with their manager in a week
INTERVIEWS = 0.04  # share of one-off meetings of 1–2 colleagues that are interviews with an outside candidate
CUSTOMER_CALLS = 0.06  # share of one-off meetings with someone from a customer
PROJECTS = [
    "Atlas",
    "Beacon",
    "Cobalt",
    "Delta",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Nimbus",
]
TOPICS = [
    "the billing API",
    "the onboarding flow",
    "search ranking",
    "the data pipeline",
    "the mobile release",
    "pricing experiments",
    "the on-call rotation",
    "the accessibility audit",
    "the Q2 roadmap",
    "the vendor contract",
    "the hiring plan",
    "the support backlog",
    "the migration to Postgres",
    "the quarterly report",
    "the customer escalation",
    "the new dashboard",
]
SMALL_TITLES = ("Pairing on {topic}", "Working session: {topic}", "Quick chat about {topic}", "{a} / {b} catch-up")
GROUP_TITLES = (
    ("Design review: {topic}", 30),
    ("Working session: {topic}", 30),
    ("Brainstorm: {topic}", 10),
    ("{project} planning", 15),
    ("Incident review: {topic}", 5),
    ("{project} demo", 6),
    ("Project {project} kickoff", 4),
)

EventWriter = Callable[..., None]


def _busy_meetings(
    org: Org, event: EventWriter, busy: dict[str, set[int]], per_person: int, weeks: int, rng: random.Random
) -> dict[str, int]:
    """Stand-ups, recurring groups and peer 1:1s, then ``weeks`` weeks of one-off meetings; returns their counts.

    Times are chosen among the 80 half-hour slots of the organizer's working week (``SLOTS``), at the first of
    a few random tries that is free for every attendee (time zones aside), so calendars overlap little.
    """
    by_id = org.by_id
    manager = {r["id"]: r["manager_id"] for r in org.rows}
    weekly = dict.fromkeys(by_id, 2)  # everyone has a 1:1 with their manager and a team meeting…
    weekly[org.rows[0]["id"]] = 0
    for manager_id, report_ids in org.reports.items():
        weekly[manager_id] += len(report_ids) + 1  # …and a manager one with each report and their own team's
    counts = {"standups": 0, "group_meetings": 0, "peer_one_on_ones": 0}

    def slot_for(people: list[str], taken: dict[str, set[int]], tries: int = 8) -> int:
        for _ in range(tries):
            number = rng.randrange(len(SLOTS))
            if not any(number in taken[p] for p in people):
                break
        for p in people:
            taken[p].add(number)
        return number

    for manager_id, report_ids in org.reports.items():
        team = [manager_id, *report_ids]
        at = next((t for t in (0, 1, 2, 3) if not any(d * 16 + t in busy[p] for p in team for d in range(5))), 1)
        for p in team:
            busy[p].update(d * 16 + at for d in range(5))
            weekly[p] += 5
        m = by_id[manager_id]
        event(f"standup-{manager_id}@bench.example", f"Daily stand-up (Team {manager_id})", m,
              [by_id[p] for p in team], SLOTS[at], repeat=STANDUP, minutes=15)  # fmt: skip
        counts["standups"] += 1

    for kind, per, sizes, title in (
        ("group", GROUPS_PER_PERSON, ((3, 1), (4, 1), (5, 1), (6, 1), (7, 1), (8, 1)), "{project} weekly sync"),
        ("peer", PEER_ONE_ON_ONES, ((2, 1),), "{a} / {b} peer 1:1"),
    ):
        tokens = [pid for pid in by_id for _ in range(per)]
        rng.shuffle(tokens)
        for n, people in enumerate(_group(tokens, sizes, rng)):
            number = slot_for(people, busy)
            for p in people:
                weekly[p] += 1
            first = by_id[people[0]]
            text = title.format(project=rng.choice(PROJECTS), a=first["name"].split()[0],
                                b=by_id[people[1]]["name"].split()[0])  # fmt: skip
            event(f"{kind}-{n}@bench.example", text, first, [by_id[p] for p in people], SLOTS[number])
            counts["group_meetings" if kind == "group" else "peer_one_on_ones"] += 1

    one_offs: Counter[str] = Counter()
    for week in range(weeks):
        monday = WEEK_START + timedelta(weeks=week)
        taken = {pid: set(slots) for pid, slots in busy.items()}
        need = {pid: max(0, per_person - n) for pid, n in weekly.items()}
        for pid, boss in manager.items():
            if boss and rng.random() < CAREER_REVIEWS:
                need[pid] -= 1
                need[boss] -= 1
                number = slot_for([boss, pid], taken)
                event(f"w{week}-review-{pid}@bench.example", "Mid-year career review", by_id[boss],
                      [by_id[boss], by_id[pid]], SLOTS[number], first_day=monday, repeat=None, minutes=60)  # fmt: skip
                one_offs["career_reviews"] += 1
        local: dict[str, list[str]] = {}
        spread: list[str] = []
        for pid, wanted in need.items():
            for _ in range(max(0, wanted)):
                if rng.random() < LOCAL_SHARE:
                    local.setdefault(manager[pid] or pid, []).append(pid)
                else:
                    spread.append(pid)
        tokens = []
        for team in local.values():
            rng.shuffle(team)
            tokens += team
        rng.shuffle(spread)
        for n, people in enumerate(_group(tokens + spread, ONE_OFF_SIZES, rng)):
            number = slot_for(people, taken)
            external: tuple[str, ...] = ()
            roll = rng.random()
            first, second = (by_id[p]["name"].split()[0] for p in (people * 2)[:2])
            words = {"topic": rng.choice(TOPICS), "project": rng.choice(PROJECTS), "a": first, "b": second}
            if len(people) <= 2 and roll < INTERVIEWS:
                kind, text = "interviews", f"Interview: {rng.choice(IC_ROLES)}"
                external = (f"candidate.w{week}.{n}@gmail.example",)
            elif roll < INTERVIEWS + CUSTOMER_CALLS:
                kind, text = "customer_calls", f"Customer call: {rng.choice(LAST)} & Co ({words['topic']})"
                external = (f"contact.{n % 997}@customer{n % 50}.example",)
            elif len(people) == 2:
                kind, text = "small", rng.choice(SMALL_TITLES).format(**words)
            else:
                titles, weights = zip(*GROUP_TITLES, strict=True)
                kind, text = "group", rng.choices(titles, weights)[0].format(**words)
            event(f"w{week}-{n}@bench.example", text, by_id[people[0]], [by_id[p] for p in people],
                  SLOTS[number], first_day=monday, repeat=None, external=external)  # fmt: skip
            one_offs[kind] += 1
    counts.update({f"one_off_{kind}": n for kind, n in sorted(one_offs.items())})
    counts["one_offs"] = sum(one_offs.values())
    return counts


def _group(tokens: list[str], sizes: tuple[tuple[int, int], ...], rng: random.Random) -> list[list[str]]:
    """Cut a sequence of person ids (one per meeting each attends) into meetings of distinct people."""
    numbers, weights = zip(*sizes, strict=True)
    groups: list[list[str]] = []
    while tokens:
        current: list[str] = []
        size = rng.choices(numbers, weights)[0]
        left: list[str] = []
        for pid in tokens:
            if pid in current:
                left.append(pid)
                continue
            current.append(pid)
            if len(current) == size:
                groups.append(current)
                current, size = [], rng.choices(numbers, weights)[0]
        if len(current) >= min(numbers):
            groups.append(current)
        if len(left) == len(tokens):
            break  # nothing more can be grouped: a person's last tokens alone
        rng.shuffle(left)
        tokens = left
    return groups


def _fold(line: str) -> str:
    """RFC 5545 folding at 75 octets."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    chunks: list[str] = []
    current = b""
    for ch in line:
        b = ch.encode()
        if len(current) + len(b) > (75 if not chunks else 74):
            chunks.append(current.decode())
            current = b""
        current += b
    chunks.append(current.decode())
    return "\r\n ".join(chunks)


def write_goals(org: Org, competencies: dict[str, int], path: Path, share: float = 0.7, seed: int = 2026) -> int:
    """Goals for ``share`` of people; ``competencies`` maps competency id to its number of levels."""
    rng = random.Random(seed + 2)
    ids = list(competencies)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(GOAL_COLUMNS)
        for row in org.rows:
            if rng.random() >= share:
                continue
            cid = rng.choice(ids)
            writer.writerow(
                [
                    row["id"],
                    cid,
                    rng.randint(2, competencies[cid]),
                    f"Practise {cid.replace('-', ' ')} in every weekly 1:1 and bring one example each time.",
                    (date(2026, 4, 1) + timedelta(days=rng.randrange(0, 120))).isoformat(),
                ]
            )
            count += 1
    return count


def changed_org(org: Org, share: float = 0.02, seed: int = 7) -> tuple[Org, dict[str, int]]:
    """A later snapshot of ``org`` with ``share`` of people changed, the mix a real month brings.

    Of the changes: 40 % promotions, 25 % manager moves, 15 % leavers (people without reports),
    10 % hires, 10 % team or location moves. Returns the new org and the counts of each kind.
    """
    rng = random.Random(seed)
    rows = [dict(r) for r in org.rows]
    by_id = {r["id"]: r for r in rows}
    managers = sorted(org.reports)
    leaves = [r["id"] for r in rows if r["id"] not in org.reports]
    changes = max(1, int(len(rows) * share))
    plan = {"promotions": 0.40, "manager_moves": 0.25, "leavers": 0.15, "hires": 0.10, "moves": 0.10}
    counts = {kind: int(changes * part) for kind, part in plan.items()}
    touched = rng.sample(leaves, counts["promotions"] + counts["manager_moves"] + counts["leavers"] + counts["moves"])
    cursor = 0

    def take(k: int) -> list[str]:
        nonlocal cursor
        picked = touched[cursor : cursor + k]
        cursor += k
        return picked

    for pid in take(counts["promotions"]):
        row = by_id[pid]
        rank = int(row["level"][1:])
        row["level"] = f"{row['level'][0]}{rank + 1}"
    for pid in take(counts["manager_moves"]):
        row = by_id[pid]
        new_manager = rng.choice([m for m in managers if m != row["manager_id"]])
        row["manager_id"], row["team"] = new_manager, f"Team {new_manager}"
    gone = set(take(counts["leavers"]))
    for pid in take(counts["moves"]):
        by_id[pid]["location"] = by_id[pid]["location"] + " (new office)"
    kept = [r for r in rows if r["id"] not in gone]
    for i in range(counts["hires"]):
        boss = rng.choice(managers)
        kept.append({**by_id[boss], "id": f"h{i:07d}", "email": f"hire.{i}@bench.example", "manager_id": boss,
                     "role": rng.choice(IC_ROLES), "level": "L1", "team": f"Team {boss}",
                     "start_date": "2026-03-01"})  # fmt: skip
    return Org(kept, org.reports), counts


def change_calendar(
    source: Path, target: Path, *, weeks: int, share: float = 0.01, moved: float = 0.6, seed: int = 2026
) -> dict[str, int]:
    """Edit a calendar ``write_calendar`` wrote as a week of rescheduling would: of the occurrences inside
    ``calendar_window(weeks)``, ``share`` change — ``moved`` of those to another slot of the same week, the
    rest are cancelled. Writes ``target``; returns the counts.

    A one-off meeting moves by a new DTSTART/DTEND and is cancelled by STATUS:CANCELLED (with SEQUENCE:1 either
    way). An occurrence of a series moves by a RECURRENCE-ID override; it is cancelled, alternately, by an
    EXDATE on the series or by a cancelled override — the ways calendar exports record it.
    """
    rng = random.Random(seed + 4)
    window = calendar_window(weeks)
    text = source.read_bytes().decode("utf-8")
    head, tail = text.index("BEGIN:VEVENT\r\n"), text.rindex("END:VEVENT\r\n") + len("END:VEVENT\r\n")
    blocks: list[list[str]] = []
    for line in text[head:tail].replace("\r\n ", "").split("\r\n")[:-1]:  # the events, unfolded
        if line == "BEGIN:VEVENT":
            blocks.append([])
        blocks[-1].append(line)
    found: list[tuple[int, datetime]] = []
    shape: list[tuple[str, datetime, timedelta, str | None]] = []  # zone, local start, length, RRULE
    for b, block in enumerate(blocks):
        fields = dict(line.split(":", 1) for line in block)
        (start_field,) = [name for name in fields if name.startswith("DTSTART;TZID=")]
        zone = start_field.split("=", 1)[1]
        start = datetime.strptime(fields[start_field], "%Y%m%dT%H%M%S")
        end = datetime.strptime(fields[f"DTEND;TZID={zone}"], "%Y%m%dT%H%M%S")
        shape.append((zone, start, end - start, fields.get("RRULE")))
        found += [(b, local) for local in occurrences(start, ZoneInfo(zone), fields.get("RRULE"), window)]
    picks = rng.sample(range(len(found)), round(len(found) * share))
    moves = round(len(picks) * moved)
    counts = dict.fromkeys(("moved_one_off", "moved_in_series", "cancelled_one_off", "cancelled_exdate",
                            "cancelled_override"), 0)  # fmt: skip
    overrides: list[list[str]] = []
    stamp = "DTSTAMP:20260227T170000Z"

    def when(name: str, zone: str, at: datetime) -> str:
        return f"{name};TZID={zone}:{at:%Y%m%dT%H%M%S}"

    for i, pick in enumerate(picks):
        b, original = found[pick]
        zone, _, length, repeat = shape[b]
        block = blocks[b]
        new = original
        if i < moves:
            monday = original.date() - timedelta(days=original.weekday())
            while new == original or not window[0] <= new.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC) < window[1]:
                day, at = rng.choice(SLOTS)
                new = datetime.combine(monday + timedelta(days=day), at)
        if repeat is None:  # a one-off: edit it in place
            edited = [stamp if line.startswith("DTSTAMP:") else line for line in block]
            if i < moves:
                edited = [when("DTSTART", zone, new) if line.startswith("DTSTART;") else
                          when("DTEND", zone, new + length) if line.startswith("DTEND;") else line
                          for line in edited]  # fmt: skip
                counts["moved_one_off"] += 1
            else:
                edited = ["STATUS:CANCELLED" if line.startswith("STATUS:") else line for line in edited]
                counts["cancelled_one_off"] += 1
            blocks[b] = [*edited[:-1], "SEQUENCE:1", "END:VEVENT"]
        elif i >= moves and counts["cancelled_exdate"] <= counts["cancelled_override"]:
            block.insert(-1, when("EXDATE", zone, original))
            counts["cancelled_exdate"] += 1
        else:
            kept = [line for line in block[1:-1] if line.split(":", 1)[0].split(";", 1)[0]
                    in ("UID", "SUMMARY", "ORGANIZER", "ATTENDEE")]  # fmt: skip
            status = "STATUS:CONFIRMED" if i < moves else "STATUS:CANCELLED"
            overrides.append(["BEGIN:VEVENT", kept[0], stamp, when("RECURRENCE-ID", zone, original),
                              when("DTSTART", zone, new), when("DTEND", zone, new + length), "SEQUENCE:1",
                              *kept[1:], status, "END:VEVENT"])  # fmt: skip
            counts["moved_in_series" if i < moves else "cancelled_override"] += 1
    events = "".join(f"{_fold(line)}\r\n" for block in blocks + overrides for line in block)
    target.write_text(text[:head] + events + text[tail:], encoding="utf-8", newline="")
    return {
        "occurrences": len(found),
        "changed": len(picks),
        "moved": counts["moved_one_off"] + counts["moved_in_series"],
        "cancelled": len(picks) - moves,
        "marked_cancelled": counts["cancelled_one_off"] + counts["cancelled_override"],
        **counts,
    }
