"""The manager's statistics window (经理办): six statistics with filters, charts and drill-down."""
