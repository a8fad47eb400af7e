-- Per-user task counts, kept exact by triggers on every write path, so that the task
-- list's total (X-Total-Count) and the board's summary cost the same at 100 tasks as
-- at 100,000 instead of counting the user's index entries on every request.
CREATE TABLE IF NOT EXISTS "task_count" (
    "user_id" text PRIMARY KEY REFERENCES "user" ("id") ON DELETE CASCADE,
    "total" integer NOT NULL DEFAULT 0,
    "completed" integer NOT NULL DEFAULT 0
);

INSERT INTO "task_count" ("user_id", "total", "completed")
SELECT "user_id", COUNT(*), SUM(CASE WHEN "completed" THEN 1 ELSE 0 END)
FROM "task" GROUP BY "user_id";

CREATE TRIGGER IF NOT EXISTS "task_count_insert" AFTER INSERT ON "task" BEGIN
    INSERT INTO "task_count" ("user_id", "total", "completed")
    VALUES (NEW."user_id", 1, CASE WHEN NEW."completed" THEN 1 ELSE 0 END)
    ON CONFLICT ("user_id") DO UPDATE
        SET "total" = "total" + 1, "completed" = "completed" + excluded."completed";
END;

CREATE TRIGGER IF NOT EXISTS "task_count_delete" AFTER DELETE ON "task" BEGIN
    UPDATE "task_count"
        SET "total" = "total" - 1,
            "completed" = "completed" - (CASE WHEN OLD."completed" THEN 1 ELSE 0 END)
        WHERE "user_id" = OLD."user_id";
END;

CREATE TRIGGER IF NOT EXISTS "task_count_complete" AFTER UPDATE OF "completed" ON "task"
WHEN (OLD."completed" <> 0) IS NOT (NEW."completed" <> 0) BEGIN
    UPDATE "task_count"
        SET "completed" = "completed" + (CASE WHEN NEW."completed" THEN 1 ELSE -1 END)
        WHERE "user_id" = NEW."user_id";
END;
