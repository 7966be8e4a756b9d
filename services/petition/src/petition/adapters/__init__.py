"""Adapters layer of the petition service."""
