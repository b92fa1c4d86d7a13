"""Red Armband 0.1.0's tables, as `init-db` made them before there were migrations.

On an empty database it creates them; on a database 0.1.0 made, it finds them
there and checks their columns. The SQL beside this module is what 0.1.0's
``init-db`` ran, captured per database and frozen: never edit it.
"""

# The columns each table had in 0.1.0: a table of that name without them is
# not 0.1.0's, and the upgrade stops rather than build on it.
TABLES = {
    "station": ["id", "slug", "created_at"],
    "user": [
        "id", "station_id", "role", "phone", "name", "password_hash", "occupation", "oath_version",
        "oath_accepted_at", "points_balance", "points_earned", "can_collect", "active", "created_at"
    ],
    "apitoken": ["id", "user_id", "token_digest", "created_at", "last_used_at"],
    "idempotentrequest": ["id", "user_id", "key", "endpoint", "fingerprint", "status", "body", "created_at"],
    "ledgerentry": [
        "id", "station_id", "volunteer_id", "amount", "kind", "reason", "breakdown", "caused_by_id",
        "created_at", "local_date", "earned", "idempotency_key", "reverses_id"
    ],
    "earnedbymonth": ["id", "station_id", "volunteer_id", "month", "earned"],
    "checkin": ["id", "station_id", "volunteer_id", "local_date", "entry_id", "streak", "created_at"],
    "reward": [
        "id", "station_id", "name", "description", "photo", "cost", "stock", "limit_count", "limit_period",
        "visible_from", "visible_until", "place_name", "place_address", "place_hours", "active",
        "created_by_id", "created_at"
    ],
    "redemption": [
        "id", "station_id", "reward_id", "volunteer_id", "code", "state", "cost", "local_month",
        "debit_entry_id", "refund_entry_id", "created_at", "expires_at", "collected_at", "collected_by_id",
        "closed_at"
    ],
    "qualificationgrant": ["id", "station_id", "volunteer_id", "key", "granted_by_id", "granted_at"],
    "taskseries": [
        "id", "station_id", "weekdays", "start_time", "end_time", "first_date", "last_date",
        "created_by_id", "created_at"
    ],
    "task": [
        "id", "station_id", "type_key", "title", "place", "starts_at", "ends_at", "capacity", "taken",
        "notes", "series_id", "created_by_id", "created_at"
    ],
    "signup": ["id", "station_id", "task_id", "volunteer_id", "created_at"],
    "submission": [
        "id", "station_id", "volunteer_id", "type_key", "task_id", "text", "fields", "latitude",
        "longitude", "started_at", "ended_at", "state", "submitted_at", "revision", "decided_at",
        "decided_by_id", "reason", "minutes", "minutes_reason", "entry_id"
    ],
    "submissionphoto": ["id", "submission_id", "position", "path"],
    "review": [
        "id", "submission_id", "revision", "officer_id", "decision", "reason", "minutes", "created_at"
    ],
    "notification": ["id", "station_id", "user_id", "kind", "data", "submission_id", "created_at", "read_at"],
    "calendarfeed": ["id", "user_id", "generation"],
    "certificate": [
        "id", "station_id", "volunteer_id", "number", "issued_by_id", "issued_at", "minutes", "star_level",
        "content"
    ],
    "group": [
        "id", "key", "kind", "name", "district", "station_id", "parent_id", "created_by_id", "created_at"
    ],
    "groupmember": ["id", "group_id", "user_id", "added_at"],
    "districtadmin": ["id", "user_id", "district"],
    "instruction": [
        "id", "group_id", "author_id", "text", "place", "priority", "deadline", "photos", "created_at"
    ],
    "instructionrecipient": [
        "id", "instruction_id", "user_id", "station_id", "acknowledged_at", "reminded_at"
    ],
    "mobilisation": [
        "id", "group_id", "started_by_id", "text", "deadline", "started_at", "ended_at", "result"
    ],
    "mobilisationanswer": [
        "id", "mobilisation_id", "user_id", "station_id", "available", "location", "answered_at"
    ],
    "liaison": ["id", "station_id", "officer_id", "volunteer_id", "assigned_at"],
    "liaisonmeeting": ["id", "station_id", "officer_id", "held_on", "attendees", "notes", "created_at"],
    "incident": [
        "id", "station_id", "category", "description", "fields", "latitude", "longitude", "address",
        "photos", "source", "reporter_id", "hide_name", "contact", "state", "urgent", "assignee_id",
        "duplicate_of_id", "alert_id", "useful", "entry_id", "token", "created_at", "updated_at"
    ],
    "incidentevent": [
        "id", "incident_id", "station_id", "kind", "actor_id", "from_state", "to_state", "assignee_id",
        "note", "created_at"
    ],
    "open311key": [
        "id", "station_id", "digest", "prefix", "label", "issued_by_id", "created_at", "revoked_at"
    ],
}


def upgrade(migration):
    migration.run_sql_file("m0001_initial")
    migration.require_columns(TABLES)
