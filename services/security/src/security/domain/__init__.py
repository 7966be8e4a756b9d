"""The security service's domain: plain Python aggregates, rules and the events they record."""
