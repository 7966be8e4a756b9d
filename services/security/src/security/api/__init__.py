"""HTTP API of the security service."""
