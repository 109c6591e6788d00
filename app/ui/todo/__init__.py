"""The to-do page (待办): what is due for the logged-in person today."""
