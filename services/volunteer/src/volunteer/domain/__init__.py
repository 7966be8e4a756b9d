"""Domain layer of the volunteer service."""
