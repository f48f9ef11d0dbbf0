"""Read-only queries over a case database, shared by the command line, the GUI and the reports.

Front ends hold no SQL of their own: listings, filters, galleries, file details, review state and
evidence summaries are read here.
"""
