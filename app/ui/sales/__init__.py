"""Quotation, order and payment screens."""
