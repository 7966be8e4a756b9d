"""HTTP API of the petition service."""
