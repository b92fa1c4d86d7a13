-- school_guardian: the schema as Red Armband 0.1.0's init-db made it on PostgreSQL.
-- Frozen: never edit; a later change is a later migration.
CREATE TABLE IF NOT EXISTS "school_guardian_arrival" ("id" SERIAL NOT NULL PRIMARY KEY, "station_id" INTEGER NOT NULL, "task_id" INTEGER NOT NULL, "volunteer_id" INTEGER NOT NULL, "arrived_at" TIMESTAMP NOT NULL, FOREIGN KEY ("station_id") REFERENCES "station" ("id") ON DELETE CASCADE, FOREIGN KEY ("task_id") REFERENCES "task" ("id") ON DELETE CASCADE, FOREIGN KEY ("volunteer_id") REFERENCES "user" ("id") ON DELETE CASCADE);
CREATE INDEX IF NOT EXISTS "arrival_station_id" ON "school_guardian_arrival" ("station_id");
CREATE INDEX IF NOT EXISTS "arrival_task_id" ON "school_guardian_arrival" ("task_id");
CREATE INDEX IF NOT EXISTS "arrival_volunteer_id" ON "school_guardian_arrival" ("volunteer_id");
CREATE UNIQUE INDEX IF NOT EXISTS "arrival_task_id_volunteer_id" ON "school_guardian_arrival" ("task_id", "volunteer_id");
CREATE TABLE IF NOT EXISTS "school_guardian_duty_slot" ("id" SERIAL NOT NULL PRIMARY KEY, "station_id" INTEGER NOT NULL, "task_id" INTEGER NOT NULL, "school" VARCHAR(60) NOT NULL, "gate" VARCHAR(30) NOT NULL, "window" VARCHAR(10) NOT NULL, "day" DATE NOT NULL, FOREIGN KEY ("station_id") REFERENCES "station" ("id") ON DELETE CASCADE, FOREIGN KEY ("task_id") REFERENCES "task" ("id") ON DELETE CASCADE);
CREATE INDEX IF NOT EXISTS "dutyslot_station_id" ON "school_guardian_duty_slot" ("station_id");
CREATE UNIQUE INDEX IF NOT EXISTS "dutyslot_task_id" ON "school_guardian_duty_slot" ("task_id");
CREATE UNIQUE INDEX IF NOT EXISTS "dutyslot_station_id_school_gate_window_day" ON "school_guardian_duty_slot" ("station_id", "school", "gate", "window", "day");
