"""The engine's service layer: one function per action the custody log records.

Each service takes a :class:`~forensics.services.context.CaseContext` (case database, custody log,
acting examiner), does its database writes and appends its custody entries together, and returns a
typed result. The command line (``app/commands``) and the GUI (``ui``) call only these for recorded
actions, so no front end can do one without the other. See ``docs/architecture.md``.
"""
