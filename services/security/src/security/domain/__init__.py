"""Domain layer of the security service."""
