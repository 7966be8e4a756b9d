"""Liandong (联动) common library: what every service stands on."""
