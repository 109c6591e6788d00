"""Customer care (客户关怀) screens: the care page, outcome and rules dialogs, to-do section."""
