"""Domain layer of the petition service."""
