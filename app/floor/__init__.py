"""The floor: one speaking queue for people in the room, on Zoom and in remote hubs (issue 15).

Importing the package registers its event filter and snapshot part and its Zoom
intercept (today's registries, see docs/architecture.md); `app.floor.domain` (later) says
the same in one typed `Domain`.
"""

from app.floor import views, zoom  # noqa: F401 - registers the view filter and the intercept
