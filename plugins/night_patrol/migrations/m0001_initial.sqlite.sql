-- night_patrol: the schema as Red Armband 0.1.0's init-db made it on SQLite.
-- Frozen: never edit; a later change is a later migration.
CREATE TABLE IF NOT EXISTS "night_patrol_venue" ("id" INTEGER NOT NULL PRIMARY KEY, "station_id" INTEGER NOT NULL, "name" VARCHAR(100) NOT NULL, "address" VARCHAR(200) NOT NULL, "licence_number" VARCHAR(60) NOT NULL, "responsible_person" VARCHAR(50) NOT NULL, "phone" VARCHAR(20) NOT NULL, "joined_on" DATE NOT NULL, "active" INTEGER NOT NULL, FOREIGN KEY ("station_id") REFERENCES "station" ("id") ON DELETE CASCADE);
CREATE INDEX IF NOT EXISTS "venue_station_id" ON "night_patrol_venue" ("station_id");
CREATE UNIQUE INDEX IF NOT EXISTS "venue_station_id_licence_number" ON "night_patrol_venue" ("station_id", "licence_number");
CREATE TABLE IF NOT EXISTS "night_patrol_venue_visit" ("id" INTEGER NOT NULL PRIMARY KEY, "station_id" INTEGER NOT NULL, "venue_id" INTEGER NOT NULL, "submission_id" INTEGER NOT NULL, "volunteer_id" INTEGER NOT NULL, "visited_at" DATETIME NOT NULL, "approved_at" DATETIME NOT NULL, "failed_items" INTEGER NOT NULL, FOREIGN KEY ("station_id") REFERENCES "station" ("id") ON DELETE CASCADE, FOREIGN KEY ("venue_id") REFERENCES "night_patrol_venue" ("id") ON DELETE CASCADE, FOREIGN KEY ("submission_id") REFERENCES "submission" ("id") ON DELETE CASCADE, FOREIGN KEY ("volunteer_id") REFERENCES "user" ("id") ON DELETE CASCADE);
CREATE INDEX IF NOT EXISTS "venuevisit_station_id" ON "night_patrol_venue_visit" ("station_id");
CREATE INDEX IF NOT EXISTS "venuevisit_venue_id" ON "night_patrol_venue_visit" ("venue_id");
CREATE UNIQUE INDEX IF NOT EXISTS "venuevisit_submission_id" ON "night_patrol_venue_visit" ("submission_id");
CREATE INDEX IF NOT EXISTS "venuevisit_volunteer_id" ON "night_patrol_venue_visit" ("volunteer_id");
CREATE TABLE IF NOT EXISTS "night_patrol_finding" ("id" INTEGER NOT NULL PRIMARY KEY, "station_id" INTEGER NOT NULL, "venue_id" INTEGER NOT NULL, "visit_id" INTEGER NOT NULL, "item" VARCHAR(40) NOT NULL, "note" TEXT NOT NULL, "opened_at" DATETIME NOT NULL, "closed_at" DATETIME, "closed_by_id" INTEGER, "close_note" TEXT NOT NULL, FOREIGN KEY ("station_id") REFERENCES "station" ("id") ON DELETE CASCADE, FOREIGN KEY ("venue_id") REFERENCES "night_patrol_venue" ("id") ON DELETE CASCADE, FOREIGN KEY ("visit_id") REFERENCES "night_patrol_venue_visit" ("id") ON DELETE CASCADE, FOREIGN KEY ("closed_by_id") REFERENCES "user" ("id") ON DELETE SET NULL);
CREATE INDEX IF NOT EXISTS "finding_station_id" ON "night_patrol_finding" ("station_id");
CREATE INDEX IF NOT EXISTS "finding_venue_id" ON "night_patrol_finding" ("venue_id");
CREATE INDEX IF NOT EXISTS "finding_visit_id" ON "night_patrol_finding" ("visit_id");
CREATE INDEX IF NOT EXISTS "finding_closed_by_id" ON "night_patrol_finding" ("closed_by_id");
CREATE UNIQUE INDEX IF NOT EXISTS "finding_visit_id_item" ON "night_patrol_finding" ("visit_id", "item");
