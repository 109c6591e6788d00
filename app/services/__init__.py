"""Use cases: permission → validation → transaction → audit → DTO out. No Qt here."""
