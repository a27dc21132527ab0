"""The HTTP service: SCIM provisioning, HRIS webhooks and health, built by ``create_app``."""
