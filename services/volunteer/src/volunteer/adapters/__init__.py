"""Adapters layer of the volunteer service."""
