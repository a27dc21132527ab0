"""Kairos: turn what an organization knows about its people into timely coaching in the flow of work."""

from kairos.errors import DeliveryError, InputError, KairosError, PolicyError, Problem

__version__ = "0.1.0"

__all__ = ["DeliveryError", "InputError", "KairosError", "PolicyError", "Problem", "__version__"]
