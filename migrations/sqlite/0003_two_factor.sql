-- Better Auth's twoFactor plugin: its table, as its migrator writes it for SQLite.
-- A database whose users already turned two-factor on keeps its table as it is.
-- `user.twoFactorEnabled` (and the table's newer columns, for databases made by an
-- older plugin) are added by `storage::ensure_columns`: SQLite has no
-- `ADD COLUMN IF NOT EXISTS`.
CREATE TABLE IF NOT EXISTS "twoFactor" (
    "id" text NOT NULL PRIMARY KEY,
    "secret" text NOT NULL,
    "backupCodes" text NOT NULL,
    "userId" text NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    "verified" integer DEFAULT 1,
    "failedVerificationCount" integer DEFAULT 0,
    "lockedUntil" date
);
CREATE INDEX IF NOT EXISTS "twoFactor_secret_idx" ON "twoFactor" ("secret");
CREATE INDEX IF NOT EXISTS "twoFactor_userId_idx" ON "twoFactor" ("userId");
