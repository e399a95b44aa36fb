"""The floor: one speaking queue for people in the room, on Zoom and in remote hubs (issue 15).

Registered by `app.floor.domain.FLOOR` in app/domains.py.
"""
