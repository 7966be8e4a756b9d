"""HTTP API of the volunteer service."""
