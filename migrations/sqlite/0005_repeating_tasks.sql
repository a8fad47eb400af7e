-- Repeating tasks (issue 22): a task may carry an RFC 5545 RRULE subset in "recurrence"
-- (validated by tasks::recurrence). Completing it inserts the next open occurrence,
-- whose "repeat_of" names the completed task, in the same transaction; reopening the
-- completed task removes that occurrence again while it is still open ("undo").
ALTER TABLE "task" ADD COLUMN "recurrence" text;
ALTER TABLE "task" ADD COLUMN "repeat_of" integer;
CREATE INDEX IF NOT EXISTS "task_user_repeat_of_idx" ON "task" ("user_id", "repeat_of");
