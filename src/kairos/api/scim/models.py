"""What the SCIM service serves: its resource models, schemas, resource types and capabilities.

The models are scim2-models' own, with two changes:

- ``EnterpriseUser.manager.$ref`` is optional. RFC 7643 §4.3 calls it required, but its own schema
  (§8.7.1) does not, and Okta and Microsoft Entra send ``manager`` with a ``value`` only.
- A Kairos extension carries what SCIM's User lacks: the career level, the office, the start date.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    CaseExact,
    ChangePassword,
    ComplexAttribute,
    ETag,
    Extension,
    External,
    Filter,
    Group,
    Mutability,
    Patch,
    Reference,
    Required,
    Resource,
    ResourceType,
    Schema,
    ScimPolicy,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    User,
)
from scim2_models import EnterpriseUser as _EnterpriseUser

ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
KAIROS_SCHEMA = "urn:kairos:params:scim:schemas:extension:kairos:2.0:User"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
MEDIA_TYPE = "application/scim+json"


class Manager(ComplexAttribute):
    value: Annotated[str | None, Required.true, CaseExact.true] = Field(
        None, description="The id of the SCIM User who is this User's manager (a Kairos person id is accepted too)."
    )
    ref: Annotated[Reference[User] | None, Required.false] = Field(  # type: ignore[type-arg]
        None,
        serialization_alias="$ref",
        validation_alias="$ref",
        description="The URI of the SCIM resource representing the User's manager.",
    )
    display_name: Annotated[str | None, Mutability.read_only] = Field(
        None, description="The displayName of the User's manager."
    )


class EnterpriseUser(_EnterpriseUser):
    """Enterprise User (RFC 7643 §4.3)."""

    __schema__ = URN(ENTERPRISE_SCHEMA)

    manager: Manager | None = None  # type: ignore[assignment]


class KairosUser(Extension):
    """What Kairos needs about a person that SCIM's User does not carry."""

    __schema__ = URN(KAIROS_SCHEMA)

    level: str | None = Field(
        None, description="The career level, letters then a number: IC3, L5, M1 (at most 50 characters)."
    )
    location: str | None = Field(
        None, description="The office or city; when absent, the locality of the primary address is used."
    )
    start_date: str | None = Field(
        None,
        description="The first day of employment as YYYY-MM-DD (an ISO dateTime's date is used). "
        "Another text is kept on the resource but leaves the person's start date unknown.",
    )


UserModel: type[Resource[Any]] = User[EnterpriseUser | KairosUser]
GroupModel: type[Resource[Any]] = Group

USER_TYPE = ResourceType.from_resource(UserModel)
GROUP_TYPE = ResourceType.from_resource(GroupModel)
USER_TYPE.description = "People Kairos coaches; each provisions one person (see docs/scim.md)."
GROUP_TYPE.description = "Groups of Users (stored; they do not change people)."

# Entra sends a remove with a value to take one member out, and a replace on a filtered path that
# matches nothing (emails[type eq "work"].value) to create that entry. Attributes no schema declares
# are refused, as the SCIM interoperability profile asks.
POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.forbid,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)

BEARER = AuthenticationScheme(
    type=AuthenticationScheme.Type.oauthbearertoken,
    name="OAuth Bearer Token",
    description="A static bearer token: the value of KAIROS_SCIM__TOKEN, sent as 'Authorization: Bearer <token>'.",
    spec_uri=Reference[External]("https://www.rfc-editor.org/rfc/rfc6750"),
    primary=True,
)


def service_provider_config(max_results: int) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=max_results),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=True),
        etag=ETag(supported=True),
        authentication_schemes=[BEARER],
    )


def build_provider(max_results: int) -> ScimProvider:
    return ScimProvider(
        models=[User, Group, EnterpriseUser, KairosUser],
        resource_types=[USER_TYPE, GROUP_TYPE],
        config=service_provider_config(max_results),
        policy=POLICY,
    )


def schemas() -> list[Schema]:
    """The schemas /Schemas publishes, in the order of the resource types that use them."""
    return [User.to_schema(), Group.to_schema(), EnterpriseUser.to_schema(), KairosUser.to_schema()]
