"""Timeline lines of one station are numbered in the order they commit.

Live boards follow a station's timeline by "lines with an id above the last
one I saw". On PostgreSQL an id is drawn from a sequence when the row is
inserted, not when its transaction commits: a long transaction (a missing
child's alert to a whole district) could hold id 5 while id 6 commits and is
read, and line 5 would then never reach a live board. So every transaction
that writes a station's timeline first locks the station's row: the next
one draws its id only after this one has committed. On SQLite,
``BEGIN IMMEDIATE`` already lets one writer at a time.
"""

from ..db import for_update
from ..models import Station


def hold_timeline(station):
    """Call first inside the write transaction that adds timeline lines."""
    for_update(Station.select(Station.id).where(Station.id == station.id)).get()
