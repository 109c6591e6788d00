"""The shell of the desktop client: start-up, the set-up wizard, login, the main window
with its pages, the connection banner, and which screen opens a record of each kind."""
