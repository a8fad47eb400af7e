-- Better Auth's passkey plugin: its table, as its migrator writes it for PostgreSQL.
-- Everything is IF NOT EXISTS, so a database whose users already added passkeys (or
-- one made before the plugin had `aaguid`) opens as is.
CREATE TABLE IF NOT EXISTS "passkey" (
    "id" text NOT NULL PRIMARY KEY,
    "name" text,
    "publicKey" text NOT NULL,
    "userId" text NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    "credentialID" text NOT NULL,
    "counter" integer NOT NULL,
    "deviceType" text NOT NULL,
    "backedUp" boolean NOT NULL,
    "transports" text,
    "createdAt" timestamptz,
    "aaguid" text
);
ALTER TABLE "passkey" ADD COLUMN IF NOT EXISTS "aaguid" text;
CREATE INDEX IF NOT EXISTS "passkey_userId_idx" ON "passkey" ("userId");
CREATE INDEX IF NOT EXISTS "passkey_credentialID_idx" ON "passkey" ("credentialID");
