"""Adapters layer of the security service."""
