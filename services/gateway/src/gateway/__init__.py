"""Gateway: the front door — identity, the org tree, access control, routing, cross-service reports."""
SERVICE = "gateway"
from liandong.registry import DOMAIN_SERVICES  # noqa: E402,F401
