"""Volunteer service (志愿者 / 爱心银行): teams, activities, attendance, hours, love coins."""
SERVICE = "volunteer"
