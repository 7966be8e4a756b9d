"""Petition service (信访 / 诉求): residents' complaints, requests and petitions, intake to feedback."""
SERVICE = "petition"
