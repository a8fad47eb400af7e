-- Per-user task counts, kept exact by a trigger on every write path, so that the task
-- list's total (X-Total-Count) and the board's summary cost the same at 100 tasks as
-- at 100,000 instead of counting the user's index entries on every request.
CREATE TABLE IF NOT EXISTS "task_count" (
    "user_id" text PRIMARY KEY REFERENCES "user" ("id") ON DELETE CASCADE,
    "total" bigint NOT NULL DEFAULT 0,
    "completed" bigint NOT NULL DEFAULT 0
);

INSERT INTO "task_count" ("user_id", "total", "completed")
SELECT "user_id", COUNT(*), COUNT(*) FILTER (WHERE "completed")
FROM "task" GROUP BY "user_id";

CREATE OR REPLACE FUNCTION "task_count_track"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO "task_count" AS c ("user_id", "total", "completed")
        VALUES (NEW."user_id", 1, CASE WHEN NEW."completed" THEN 1 ELSE 0 END)
        ON CONFLICT ("user_id") DO UPDATE
            SET "total" = c."total" + 1, "completed" = c."completed" + EXCLUDED."completed";
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE "task_count"
            SET "total" = "total" - 1,
                "completed" = "completed" - CASE WHEN OLD."completed" THEN 1 ELSE 0 END
            WHERE "user_id" = OLD."user_id";
    ELSIF NEW."completed" IS DISTINCT FROM OLD."completed" THEN
        UPDATE "task_count"
            SET "completed" = "completed" + CASE WHEN NEW."completed" THEN 1 ELSE -1 END
            WHERE "user_id" = NEW."user_id";
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER "task_count_track"
    AFTER INSERT OR DELETE OR UPDATE OF "completed" ON "task"
    FOR EACH ROW EXECUTE FUNCTION "task_count_track"();
