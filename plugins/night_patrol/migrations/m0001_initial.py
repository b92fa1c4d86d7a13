"""东华红枫夜巡队's tables as of Red Armband 0.1.0: the alliance's venues, visits and findings.

On an empty database it creates them; on a database 0.1.0 made, it finds them
there and checks their columns. The SQL beside this module is what 0.1.0's
``init-db`` ran, captured per database and frozen: never edit it.
"""

# The columns each table had in 0.1.0: a table of that name without them is
# not 0.1.0's, and the upgrade stops rather than build on it.
TABLES = {
    "night_patrol_venue": [
        "id",
        "station_id",
        "name",
        "address",
        "licence_number",
        "responsible_person",
        "phone",
        "joined_on",
        "active",
    ],
    "night_patrol_venue_visit": [
        "id",
        "station_id",
        "venue_id",
        "submission_id",
        "volunteer_id",
        "visited_at",
        "approved_at",
        "failed_items",
    ],
    "night_patrol_finding": [
        "id",
        "station_id",
        "venue_id",
        "visit_id",
        "item",
        "note",
        "opened_at",
        "closed_at",
        "closed_by_id",
        "close_note",
    ],
}


def upgrade(migration):
    migration.run_sql_file("m0001_initial")
    migration.require_columns(TABLES)
