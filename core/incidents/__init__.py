"""Live incident reports (警情与求助): volunteers report what they see,
officers triage it, and other systems speak Open311 to it. One module per job:

- :mod:`.categories`: what an incident category is (``register_incident_categories``);
- :mod:`.reporting`: reporting, with photos, and likely duplicates; urgent
  categories alert the whole district;
- :mod:`.lifecycle`: states, comments, assignment, confirming a report useful;
- :mod:`.board`: the station's board and what changed since (live pages);
- :mod:`.keys`: Open311 API keys, one station each.
"""

from .categories import IncidentCategory
from .errors import IncidentError

__all__ = ["IncidentCategory", "IncidentError"]
