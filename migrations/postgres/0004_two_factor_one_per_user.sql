-- One twoFactor row per user (review 2026-12 L13): two concurrent `enable` calls
-- could leave two, and which one sign-in read varied. Duplicates left by that race
-- (or by Better Auth, which has the same find-then-insert) go first, deterministically:
-- a confirmed row wins over a pending one, then the greatest id. `enable` is an upsert
-- on this index from now on.
DELETE FROM "twoFactor" WHERE "id" IN (
    SELECT t."id" FROM "twoFactor" t WHERE EXISTS (
        SELECT 1 FROM "twoFactor" o
        WHERE o."userId" = t."userId" AND o."id" <> t."id" AND (
            (COALESCE(o."verified", TRUE) AND NOT COALESCE(t."verified", TRUE))
            OR (COALESCE(o."verified", TRUE) = COALESCE(t."verified", TRUE) AND o."id" > t."id")
        )
    )
);
CREATE UNIQUE INDEX IF NOT EXISTS "twoFactor_userId_unique" ON "twoFactor" ("userId");
-- Ours, beside the plugin's columns: the last TOTP time step accepted (no code twice).
ALTER TABLE "twoFactor" ADD COLUMN IF NOT EXISTS "lastTotpStep" bigint;
