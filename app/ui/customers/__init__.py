"""Customer master screens: the list now; the customer card and the 360 view plug in here."""
