-- One twoFactor row per user (review 2026-12 L13): two concurrent `enable` calls
-- could leave two, and which one sign-in read varied. Duplicates left by that race
-- (or by Better Auth, which has the same find-then-insert) go first, deterministically:
-- a confirmed row wins over a pending one, then the greatest id. `enable` is an upsert
-- on this index from now on. `lastTotpStep` (ours) is added by `storage::ensure_columns`.
DELETE FROM "twoFactor" WHERE "id" IN (
    SELECT t."id" FROM "twoFactor" t WHERE EXISTS (
        SELECT 1 FROM "twoFactor" o
        WHERE o."userId" = t."userId" AND o."id" <> t."id" AND (
            (COALESCE(o."verified", 1) <> 0 AND COALESCE(t."verified", 1) = 0)
            OR ((COALESCE(o."verified", 1) <> 0) = (COALESCE(t."verified", 1) <> 0) AND o."id" > t."id")
        )
    )
);
CREATE UNIQUE INDEX IF NOT EXISTS "twoFactor_userId_unique" ON "twoFactor" ("userId");
