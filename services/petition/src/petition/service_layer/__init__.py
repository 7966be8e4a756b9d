"""Use cases of the petition service: load a case, call the domain, save it with its events."""
