"""Adapters layer of the welfare service."""
