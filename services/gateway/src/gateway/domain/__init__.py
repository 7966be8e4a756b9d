"""Gateway domain: the org tree and its rules (no I/O)."""
