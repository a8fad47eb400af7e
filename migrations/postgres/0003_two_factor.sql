-- Better Auth's twoFactor plugin: its table and the user's flag, as its migrator
-- writes them for PostgreSQL. Everything is IF NOT EXISTS, so a database whose users
-- already turned two-factor on (or one made by an older plugin) opens as is.
ALTER TABLE "user" ADD COLUMN IF NOT EXISTS "twoFactorEnabled" boolean DEFAULT false;

CREATE TABLE IF NOT EXISTS "twoFactor" (
    "id" text NOT NULL PRIMARY KEY,
    "secret" text NOT NULL,
    "backupCodes" text NOT NULL,
    "userId" text NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    "verified" boolean DEFAULT true,
    "failedVerificationCount" integer DEFAULT 0,
    "lockedUntil" timestamptz
);
ALTER TABLE "twoFactor" ADD COLUMN IF NOT EXISTS "verified" boolean DEFAULT true;
ALTER TABLE "twoFactor" ADD COLUMN IF NOT EXISTS "failedVerificationCount" integer DEFAULT 0;
ALTER TABLE "twoFactor" ADD COLUMN IF NOT EXISTS "lockedUntil" timestamptz;
CREATE INDEX IF NOT EXISTS "twoFactor_secret_idx" ON "twoFactor" ("secret");
CREATE INDEX IF NOT EXISTS "twoFactor_userId_idx" ON "twoFactor" ("userId");
