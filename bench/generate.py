"""Deterministic synthetic inputs for the benchmark: a people CSV, a week of calendar, goals.

Everything is driven by ``random.Random(seed)`` so a run with the same sizes writes the same
files. The organization is a realistic reporting tree: each manager has 5–10 direct reports
(the last manager filled may have fewer), most reports share their manager's time zone.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

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


def write_calendar(org: Org, path: Path, seed: int = 2026) -> dict[str, int]:
    """One week of meetings as weekly recurring series that started four weeks earlier.

    Each manager has a 1:1 with every direct report and one team meeting, on distinct
    half-hour slots, written in the manager's zone (``DTSTART;TZID=…``). VTIMEZONE
    components for the zones used come from icalendar itself. Returns expected counts.
    """
    rng = random.Random(seed + 1)
    by_id = org.by_id
    used_zones = sorted({r["time_zone"] for r in org.rows})
    parts = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Kairos bench//synthetic week//EN", "CALSCALE:GREGORIAN"]
    # icalendar folds and terminates lines with CRLF; keep our own lines consistent with it
    body: list[str] = [icalendar.Timezone.from_tzid(z).to_ical().decode().rstrip("\r\n") for z in used_zones]
    one_on_ones = team_meetings = 0
    series_start = WEEK_START - timedelta(weeks=4)

    def event(
        uid: str, summary: str, organizer: dict[str, str], attendees: list[dict[str, str]], slot: tuple[int, time]
    ) -> None:
        day, at = slot
        start = datetime.combine(series_start + timedelta(days=day), at)
        end = start + timedelta(minutes=30)
        tz = organizer["time_zone"]
        lines = [
            "BEGIN:VEVENT",
            _line("UID", uid),
            "DTSTAMP:20260201T120000Z",
            f"DTSTART;TZID={tz}:{start:%Y%m%dT%H%M%S}",
            f"DTEND;TZID={tz}:{end:%Y%m%dT%H%M%S}",
            "RRULE:FREQ=WEEKLY",
            _line("SUMMARY", summary),
            "STATUS:CONFIRMED",
            f'ORGANIZER;CN="{organizer["name"]}":mailto:{organizer["email"]}',
        ]
        for a in attendees:
            lines.append(f'ATTENDEE;CN="{a["name"]}";PARTSTAT=ACCEPTED:mailto:{a["email"]}')
        lines.append("END:VEVENT")
        body.append("\r\n".join(_fold(line) for line in lines))

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
            one_on_ones += 1
        event(
            f"team-{manager_id}@bench.example",
            f"Team weekly sync (Team {manager_id})",
            m,
            [m, *(by_id[rid] for rid in report_ids)],
            slots[-1],
        )
        team_meetings += 1
    text = "\r\n".join(parts + body + ["END:VCALENDAR"]) + "\r\n"
    path.write_text(text, encoding="utf-8", newline="")
    return {"one_on_ones": one_on_ones, "team_meetings": team_meetings}


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
