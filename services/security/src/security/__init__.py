"""Security service (平安社区 / 综治): patrols, incidents, floating population, mediation."""
SERVICE = "security"
