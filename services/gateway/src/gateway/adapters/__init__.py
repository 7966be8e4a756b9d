"""Gateway adapters: storage of the org tree, HTTP clients of the services."""
