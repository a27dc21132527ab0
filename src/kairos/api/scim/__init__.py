"""SCIM 2.0 provisioning (RFC 7643/7644) under /scim/v2: identity providers create, update and remove people.

``routes`` has the endpoints, ``service`` the operations and their transaction, ``mapping`` how a
SCIM User becomes a Kairos person, ``filters`` how searches use the indexes, ``models`` the schemas.
docs/scim.md describes it for operators.
"""

from kairos.api.scim.routes import PREFIX, router

__all__ = ["PREFIX", "router"]
