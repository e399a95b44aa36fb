"""Social channels inside the server: settings, runtime, status, pause, cross-posts.

Importing the package registers its view filter, start-up hooks and ingest hook.
"""

from app import ingest
from app.connectors import lifecycle, views  # noqa: F401 - registration on import
from app.connectors.service import flag_crossposts

if flag_crossposts not in ingest.AFTER_STORE_MANY:
    ingest.AFTER_STORE_MANY.append(flag_crossposts)
