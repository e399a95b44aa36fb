"""The triage assistant inside the server: app/triage computes, this package wires it in.

app/triage imports nothing from app; this side may. It owns the worker thread, the
stored results (through the one writer), the moderator-only `triage.*` events and the
API (docs/triage.md).
"""
