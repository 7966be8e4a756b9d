"""Handlers layer of the security service."""
