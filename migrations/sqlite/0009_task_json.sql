-- Each task keeps its API JSON in a stored generated column, computed by SQLite on every
-- insert and update of the row, whichever statement writes it. The list then only
-- joins the page's texts (tasks::store::list): building 50 objects per read was a
-- quarter of a list request's instructions, and writes happen far less often than reads.
--
-- SQLite cannot add a stored column to a table, so the table is rebuilt. Its own
-- procedure turns foreign keys off first, which SQLite ignores inside a transaction,
-- and sqlx runs every SQLite migration in one. With them on, dropping the old table
-- deletes its rows first and cascades into "task_tag", so the tags are kept aside and
-- put back; the counters' triggers go first, so that the drop does not count it.
DROP TRIGGER "task_count_insert";
DROP TRIGGER "task_count_delete";
DROP TRIGGER "task_count_complete";
CREATE TEMP TABLE "task_tag_kept" AS SELECT "task_id", "user_id", "tag" FROM "task_tag";

CREATE TABLE "task_rebuilt" (
    "id" integer PRIMARY KEY AUTOINCREMENT,
    "user_id" text NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    "title" text NOT NULL,
    "description" text,
    "completed" integer NOT NULL DEFAULT 0,
    "priority" smallint NOT NULL DEFAULT 1,
    "tags" text NOT NULL DEFAULT '[]',
    "due_date" text,
    "created_at" date NOT NULL,
    "updated_at" date NOT NULL,
    "recurrence" text,
    "repeat_of" integer,
    "position" text,
    -- Exactly the object GET /api/{user_id}/tasks/{id} answers (tasks::model::Task).
    "json" text GENERATED ALWAYS AS (json_object(
        'id', "id", 'user_id', "user_id", 'title', "title", 'description', "description",
        'completed', CASE WHEN "completed" THEN json('true') ELSE json('false') END,
        'priority', CASE WHEN "priority" <= 0 THEN 'low' WHEN "priority" = 1 THEN 'medium' ELSE 'high' END,
        'tags', json("tags"), 'due_date', "due_date", 'recurrence', "recurrence",
        'position', "position", 'created_at', "created_at", 'updated_at', "updated_at"
    )) STORED
);

-- Ids of deleted tasks are never given out again: the old table's counter becomes the
-- new one's (and follows it through the rename below).
UPDATE "sqlite_sequence" SET "name" = 'task_rebuilt' WHERE "name" = 'task';

INSERT INTO "task_rebuilt" ("id", "user_id", "title", "description", "completed", "priority",
    "tags", "due_date", "created_at", "updated_at", "recurrence", "repeat_of", "position")
SELECT "id", "user_id", "title", "description", "completed", "priority",
    "tags", "due_date", "created_at", "updated_at", "recurrence", "repeat_of", "position"
FROM "task";

DROP TABLE "task";
ALTER TABLE "task_rebuilt" RENAME TO "task";
INSERT INTO "task_tag" ("task_id", "user_id", "tag")
SELECT "task_id", "user_id", "tag" FROM "task_tag_kept";
DROP TABLE "task_tag_kept";

CREATE INDEX "task_user_created_idx" ON "task" ("user_id", "created_at", "id");
CREATE INDEX "task_user_completed_idx" ON "task" ("user_id", "completed", "created_at");
CREATE INDEX "task_user_updated_idx" ON "task" ("user_id", "updated_at");
CREATE INDEX "task_user_due_idx" ON "task" ("user_id", "due_date");
CREATE INDEX "task_user_priority_idx" ON "task" ("user_id", "priority");
CREATE INDEX "task_user_repeat_of_idx" ON "task" ("user_id", "repeat_of");
CREATE INDEX "task_user_position_idx" ON "task" ("user_id", "position");
CREATE INDEX "task_user_open_due_idx"
    ON "task" ("user_id", "completed", "due_date", "priority" DESC, "id");

-- The counters' triggers, as 0002 made them.
CREATE TRIGGER "task_count_insert" AFTER INSERT ON "task" BEGIN
    INSERT INTO "task_count" ("user_id", "total", "completed")
    VALUES (NEW."user_id", 1, CASE WHEN NEW."completed" THEN 1 ELSE 0 END)
    ON CONFLICT ("user_id") DO UPDATE
        SET "total" = "total" + 1, "completed" = "completed" + excluded."completed";
END;

CREATE TRIGGER "task_count_delete" AFTER DELETE ON "task" BEGIN
    UPDATE "task_count"
        SET "total" = "total" - 1,
            "completed" = "completed" - (CASE WHEN OLD."completed" THEN 1 ELSE 0 END)
        WHERE "user_id" = OLD."user_id";
END;

CREATE TRIGGER "task_count_complete" AFTER UPDATE OF "completed" ON "task"
WHEN (OLD."completed" <> 0) IS NOT (NEW."completed" <> 0) BEGIN
    UPDATE "task_count"
        SET "completed" = "completed" + (CASE WHEN NEW."completed" THEN 1 ELSE -1 END)
        WHERE "user_id" = NEW."user_id";
END;
