"""The opportunities (商机) screens: list, board, forecast and the opportunity dialog."""
