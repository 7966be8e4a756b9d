"""HTTP API of the welfare service."""
