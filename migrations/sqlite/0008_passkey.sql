-- Better Auth's passkey plugin: its table, as its migrator writes it for SQLite. A
-- database whose users already added passkeys keeps its table as it is (`aaguid`,
-- newer than the table, is added by `storage::ensure_columns` when missing).
CREATE TABLE IF NOT EXISTS "passkey" (
    "id" text NOT NULL PRIMARY KEY,
    "name" text,
    "publicKey" text NOT NULL,
    "userId" text NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    "credentialID" text NOT NULL,
    "counter" integer NOT NULL,
    "deviceType" text NOT NULL,
    "backedUp" integer NOT NULL,
    "transports" text,
    "createdAt" date,
    "aaguid" text
);
CREATE INDEX IF NOT EXISTS "passkey_userId_idx" ON "passkey" ("userId");
CREATE INDEX IF NOT EXISTS "passkey_credentialID_idx" ON "passkey" ("credentialID");
