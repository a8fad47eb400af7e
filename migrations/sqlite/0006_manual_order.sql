-- Manual order (issue 22): "position" is a fractional index (see tasks::rank): a task
-- moved between two others gets a string between theirs, and no other row changes.
-- Existing tasks keep their creation order: a 16-digit head from the id, then 'V'.
ALTER TABLE "task" ADD COLUMN "position" text;
UPDATE "task" SET "position" = printf('%016d', "id") || 'V' WHERE "position" IS NULL;
CREATE INDEX IF NOT EXISTS "task_user_position_idx" ON "task" ("user_id", "position");
