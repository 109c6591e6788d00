"""Service desk UI (intake, pickup, tickets)."""
