"""Handlers layer of the volunteer service."""
