"""Gateway: the front door — identity, the org tree, access control, routing, cross-service reports."""
SERVICE = "gateway"
DOMAIN_SERVICES = ("petition", "welfare", "volunteer", "security")
