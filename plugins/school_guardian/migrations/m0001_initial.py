"""The school guardians' tables as of Red Armband 0.1.0: duty slots and arrivals.

On an empty database it creates them; on a database 0.1.0 made, it finds them
there and checks their columns. The SQL beside this module is what 0.1.0's
``init-db`` ran, captured per database and frozen: never edit it.
"""

# The columns each table had in 0.1.0: a table of that name without them is
# not 0.1.0's, and the upgrade stops rather than build on it.
TABLES = {
    "school_guardian_duty_slot": ["id", "station_id", "task_id", "school", "gate", "window", "day"],
    "school_guardian_arrival": ["id", "station_id", "task_id", "volunteer_id", "arrived_at"],
}


def upgrade(migration):
    migration.run_sql_file("m0001_initial")
    migration.require_columns(TABLES)
