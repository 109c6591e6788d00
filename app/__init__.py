"""StationCRM: a desktop CRM for a small office-IT sales and repair company."""

__version__ = "0.1.0"
