"""The administration module: users, roles, custom fields, audit log, exports."""
