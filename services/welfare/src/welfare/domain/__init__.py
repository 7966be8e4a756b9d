"""Domain layer of the welfare service."""
