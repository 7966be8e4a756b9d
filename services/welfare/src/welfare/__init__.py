"""Welfare service (民政 / 社会救助): applications, review, disbursements, charity supermarket and fund."""
SERVICE = "welfare"
