"""Searching SCIM resources: a filter narrows rows by index where it can, then is matched exactly.

scim2-models parses and validates the filter (``SearchRequest[Model]``) and evaluates it on a resource
(``ScimFilter.match``), paths such as ``emails[type eq "work"].value`` included. Evaluating it means
building each candidate resource, so the comparisons identity providers send to find one resource
(``userName eq``, ``externalId eq``, ``id eq``, ``displayName eq``) are first answered by the indexed
columns of ``scim_resources``; the exact match then runs only on the rows they leave. Other filters
(``emails.value co "x"``) read every resource of the type, and first drop the rows whose strings
cannot contain the compared value (``text_condition``), so only likely matches are built and matched.

Both narrowing steps may keep rows the filter refuses; neither may drop a row it matches. The string
comparisons follow scim2-models' default comparison key (NFC, and lowercase unless case-exact), which
the service's policy uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import Enum
from inspect import isclass
from typing import Any
from unicodedata import normalize

from pydantic import EmailStr
from scim2_models import ScimFilter
from scim2_models.path import CompareOperator, Comparison, FilterNode, LogicalExpr, LogicalOperator
from sqlalchemy import ColumnElement, and_, or_

from kairos.store.schema import scim_resources

_CORE = ("urn:ietf:params:scim:schemas:core:2.0:user", "urn:ietf:params:scim:schemas:core:2.0:group")


def comparison_key(value: str) -> str:
    """A string as a case-insensitive SCIM attribute compares (scim2-models' default: NFC, lowercase)."""
    return normalize("NFC", normalize("NFC", value).lower())


def indexed_condition(scim_filter: ScimFilter[Any] | None) -> ColumnElement[bool] | None:
    """A condition on indexed columns every resource the filter matches satisfies, or None.

    It may keep rows the filter refuses (they are matched exactly afterwards); it never drops one
    the filter keeps.
    """
    if scim_filter is None:
        return None
    return _condition(scim_filter.ast)


def _condition(node: FilterNode) -> ColumnElement[bool] | None:
    if isinstance(node, Comparison):
        return _comparison(node)
    if isinstance(node, LogicalExpr):
        parts = [_condition(term) for term in node.terms]
        if node.op is LogicalOperator.and_:
            known = [p for p in parts if p is not None]
            return and_(*known) if known else None
        if all(p is not None for p in parts):
            return or_(*parts)  # type: ignore[arg-type]
    return None  # not, present, value paths: no index helps


def _comparison(node: Comparison) -> ColumnElement[bool] | None:
    path = node.attr_path
    if node.op is not CompareOperator.eq or not isinstance(node.value, str) or path.sub_attr is not None:
        return None
    if path.uri is not None and path.uri.lower() not in _CORE:
        return None
    name = path.attr.lower()
    if name == "id":
        return scim_resources.c.id == node.value
    if name == "externalid":
        return scim_resources.c.external_id == node.value
    if name == "username":
        return scim_resources.c.user_name_key == comparison_key(node.value)
    if name == "displayname":
        return scim_resources.c.display_key == comparison_key(node.value)
    return None


class Texts:
    """Every string a stored resource holds, joined, in the two forms comparisons use (built on demand)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._joined = "\x00".join(_strings(data))
        self._exact: str | None = None
        self._folded: str | None = None

    def exact(self) -> str:
        if self._exact is None:
            self._exact = normalize("NFC", self._joined)
        return self._exact

    def folded(self) -> str:
        if self._folded is None:
            self._folded = comparison_key(self._joined)
        return self._folded


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def text_condition(scim_filter: ScimFilter[Any] | None) -> Callable[[Texts], bool] | None:
    """A test on a stored resource's strings that every resource the filter matches passes, or None.

    ``eq``, ``co``, ``sw`` and ``ew`` on a string attribute can only match if the compared value
    (as the attribute compares it: case-folded unless case-exact) occurs among the resource's
    strings, so a scan drops the others before building resources to match exactly. ``id``,
    ``meta`` and ``groups`` are not in the stored JSON, so comparisons on them are never tested.
    """
    if scim_filter is None or scim_filter.model is None:
        return None
    return _text_condition(scim_filter, scim_filter.ast)


def _text_condition(scim_filter: ScimFilter[Any], node: FilterNode) -> Callable[[Texts], bool] | None:
    if isinstance(node, LogicalExpr):
        parts = [_text_condition(scim_filter, term) for term in node.terms]
        if node.op is LogicalOperator.and_:
            known = [p for p in parts if p is not None]
            return (lambda texts: all(p(texts) for p in known)) if known else None
        if all(p is not None for p in parts):
            return lambda texts: any(p(texts) for p in parts)  # type: ignore[misc]
        return None
    if not isinstance(node, Comparison) or node.op not in _TEXT_OPERATORS or not isinstance(node.value, str):
        return None
    if node.attr_path.attr.lower() in _NOT_STORED:
        return None
    binding = scim_filter.resolve_comparison(node.attr_path, strict=False)
    target = binding.target_type if binding is not None else None
    textual = target is EmailStr or (isclass(target) and issubclass(target, str) and not issubclass(target, Enum))
    if binding is None or not textual:
        return None
    if binding.case_exact:
        needle = normalize("NFC", node.value)
        return lambda texts: needle in texts.exact()
    folded = comparison_key(node.value)
    return lambda texts: folded in texts.folded()


_TEXT_OPERATORS = (CompareOperator.eq, CompareOperator.co, CompareOperator.sw, CompareOperator.ew)
_NOT_STORED = ("id", "meta", "groups")
