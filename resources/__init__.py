"""Shipped resources (fonts, translations, icons), installed as the package app.resources."""
