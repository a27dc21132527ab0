"""A SCIM User becomes a Kairos person: which attribute feeds which field, checked as the people CSV is.

docs/scim.md has the table. Every refusal names the SCIM attribute, so an identity-provider admin
knows which mapping to fix.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from scim2_models import InvalidValueException

from kairos.api.scim.models import ENTERPRISE_SCHEMA, KAIROS_SCHEMA, EnterpriseUser, KairosUser
from kairos.domain.person import Person, PersonStatus

# The people CSV's own rules (ingest/people.py) are the definition of a valid person: reuse them.
from kairos.ingest.people import EMAIL_PATTERN, ID_PATTERN, MAX_LENGTH, is_time_zone

EMPLOYEE_NUMBER = f"{ENTERPRISE_SCHEMA}:employeeNumber"
DEPARTMENT = f"{ENTERPRISE_SCHEMA}:department"
MANAGER = f"{ENTERPRISE_SCHEMA}:manager"
LEVEL = f"{KAIROS_SCHEMA}:level"
LOCATION = f"{KAIROS_SCHEMA}:location"
START_DATE = f"{KAIROS_SCHEMA}:startDate"


def invalid(attribute: str, expected: str, value: object = None) -> InvalidValueException:
    shown = "" if value is None else f": got {_shorten(value)}"
    return InvalidValueException(detail=f"'{attribute}'{shown}; expected {expected}")


def _shorten(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}… ({len(str(value))} characters)"


def _enterprise(user: Any) -> EnterpriseUser | None:
    found: EnterpriseUser | None = user[EnterpriseUser]
    return found


def _kairos(user: Any) -> KairosUser | None:
    found: KairosUser | None = user[KairosUser]
    return found


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def new_person_id(user: Any, scim_id: str) -> tuple[str, str]:
    """The id a new User's person gets, and the attribute it came from.

    The enterprise employeeNumber if given, else externalId, else the SCIM id. It is fixed from then
    on: a later change to either attribute is stored on the resource but does not re-key the person.
    """
    enterprise = _enterprise(user)
    if enterprise is not None and _text(enterprise.employee_number):
        return _text(enterprise.employee_number), EMPLOYEE_NUMBER
    if _text(user.external_id):
        return _text(user.external_id), "externalId"
    return scim_id, "id"


def check_person_id(person_id: str, attribute: str) -> None:
    if not ID_PATTERN.match(person_id):
        raise invalid(attribute, "an id of letters, digits and . - _ @ : (at most 100 characters)", person_id)


def manager_value(user: Any) -> str | None:
    enterprise = _enterprise(user)
    if enterprise is None or enterprise.manager is None:
        return None
    return _text(enterprise.manager.value) or None


def _name(user: Any) -> tuple[str, str]:
    if _text(user.display_name):
        return _text(user.display_name), "displayName"
    name = user.name
    if name is not None:
        if _text(name.formatted):
            return _text(name.formatted), "name.formatted"
        joined = " ".join(part for part in (_text(name.given_name), _text(name.family_name)) if part)
        if joined:
            return joined, "name"
    return _text(user.user_name), "userName"


def _kind(entry: Any) -> str:
    kind = getattr(entry, "type", None)
    return str(getattr(kind, "value", kind) or "").lower()


def _email(user: Any) -> str:
    """The primary email, else the first work email, else the first email; else userName if it is an address."""
    emails = [e for e in user.emails or [] if _text(e.value)]
    chosen = (
        next((e for e in emails if e.primary), None)
        or next((e for e in emails if _kind(e) == "work"), None)
        or (emails[0] if emails else None)
    )
    if chosen is not None:
        value = _text(chosen.value)
        if not EMAIL_PATTERN.match(value) or len(value) > 320:
            raise invalid("emails", "an email address like name@example.com", value)
        return value
    user_name = _text(user.user_name)
    return user_name if EMAIL_PATTERN.match(user_name) and len(user_name) <= 320 else ""


def _location(user: Any) -> tuple[str, str]:
    kairos = _kairos(user)
    if kairos is not None and _text(kairos.location):
        return _text(kairos.location), LOCATION
    addresses = [a for a in user.addresses or [] if _text(a.locality)]
    chosen = next((a for a in addresses if a.primary), None) or (addresses[0] if addresses else None)
    return (_text(chosen.locality), "addresses") if chosen is not None else ("", LOCATION)


def start_date(value: str | None) -> date | None:
    """YYYY-MM-DD, or the date of an ISO dateTime; None for anything else (the text stays on the resource)."""
    text = _text(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def to_person(
    user: Any,
    *,
    person_id: str,
    manager_id: str | None,
    default_time_zone: str,
    stored: Person | None,
) -> Person:
    """The person ``user`` describes. ``stored`` is the person as Kairos knows them now, if at all.

    SCIM knows only active or not: a person Kairos has on leave stays on leave while SCIM says
    active, and the end date Kairos knows is kept.
    """
    enterprise, kairos = _enterprise(user), _kairos(user)
    name, name_attribute = _name(user)
    location, location_attribute = _location(user)
    values = {
        "name": (name, name_attribute),
        "email": (_email(user), "emails"),
        "role": (_text(user.title), "title"),
        "level": (_text(kairos.level) if kairos else "", LEVEL),
        "team": (_text(enterprise.department) if enterprise else "", DEPARTMENT),
        "location": (location, location_attribute),
    }
    for field, (value, attribute) in values.items():
        limit = MAX_LENGTH[field]
        if len(value) > limit:
            raise invalid(attribute, f"at most {limit} characters", value)
    zone = _text(user.timezone)
    status = PersonStatus.TERMINATED if user.active is False else PersonStatus.ACTIVE
    if status is PersonStatus.ACTIVE and stored is not None and stored.status is PersonStatus.LEAVE:
        status = PersonStatus.LEAVE
    return Person(
        id=person_id,
        name=name,
        email=values["email"][0],
        manager_id=manager_id,
        role=values["role"][0],
        level=values["level"][0],
        team=values["team"][0],
        location=location,
        time_zone=zone if is_time_zone(zone) else default_time_zone,
        start_date=start_date(kairos.start_date if kairos else None),
        status=status,
        end_date=stored.end_date if stored is not None else None,
    )


def terminated(person: Person) -> Person:
    return dataclasses.replace(person, status=PersonStatus.TERMINATED)
