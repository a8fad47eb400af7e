-- Today and Upcoming (issue 22) read open tasks by due date, then priority (high first),
-- then id: this index holds them in exactly that order, so a page of 50 is read in
-- order and the count comes from the index alone, at 100,000 tasks as at 50.
CREATE INDEX IF NOT EXISTS "task_user_open_due_idx"
    ON "task" ("user_id", "completed", "due_date", "priority" DESC, "id");
