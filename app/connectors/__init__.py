"""Social channels inside the server: settings, runtime, status, pause, cross-posts.

Registered in app/connectors/domain.py (view filter, start-up hooks, ingest hook).
"""
