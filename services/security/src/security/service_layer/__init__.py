"""Use cases that load aggregates, call the domain and save them with their events."""
