"""Bringing records in from Excel and CSV sheets."""
