"""Handlers layer of the petition service."""
