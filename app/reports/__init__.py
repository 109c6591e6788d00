"""Printed documents and exports: gather data, then render. No Qt here."""
