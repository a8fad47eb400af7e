-- Every deleted session (sign-out, revoke, password change or reset, account deletion,
-- expiry) is announced on the live-sync channel, so that each instance ends the change
-- streams tied to it at once instead of at their next heartbeat. A trigger catches every
-- writer: this server's instances and a Better Auth server sharing the database alike.
-- PostgreSQL folds identical notifications of one transaction into one.
CREATE OR REPLACE FUNCTION "taskdeck_session_ended"() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify(
        'taskdeck_task_changes',
        json_build_object('user_id', OLD."userId", 'kind', 'recheck', 'id', 0)::text
    );
    RETURN OLD;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS "taskdeck_session_ended" ON "session";
CREATE TRIGGER "taskdeck_session_ended" AFTER DELETE ON "session"
    FOR EACH ROW EXECUTE FUNCTION "taskdeck_session_ended"();
