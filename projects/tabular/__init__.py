"""Excel/CSV import and export of a portfolio's projects and registers (issue 8 items 1, 2, 5)."""
