"""Handlers layer of the welfare service."""
