"""Gateway use cases: load aggregates, call the domain, save with events."""
