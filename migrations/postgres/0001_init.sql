-- Better Auth's core tables, named and typed exactly as Better Auth's own migrator
-- writes them for PostgreSQL (camelCase columns, timestamptz dates, native booleans),
-- so that a database created by Better Auth opens as is: every statement is
-- IF NOT EXISTS and leaves existing tables untouched.

CREATE TABLE IF NOT EXISTS "user" (
    "id" text NOT NULL PRIMARY KEY,
    "name" text NOT NULL,
    "email" text NOT NULL UNIQUE,
    "emailVerified" boolean NOT NULL DEFAULT false,
    "image" text,
    "createdAt" timestamptz NOT NULL,
    "updatedAt" timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS "session" (
    "id" text NOT NULL PRIMARY KEY,
    "expiresAt" timestamptz NOT NULL,
    "token" text NOT NULL UNIQUE,
    "createdAt" timestamptz NOT NULL,
    "updatedAt" timestamptz NOT NULL,
    "ipAddress" text,
    "userAgent" text,
    "userId" text NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "session_userId_idx" ON "session" ("userId");

CREATE TABLE IF NOT EXISTS "account" (
    "id" text NOT NULL PRIMARY KEY,
    "accountId" text NOT NULL,
    "providerId" text NOT NULL,
    "userId" text NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    "accessToken" text,
    "refreshToken" text,
    "idToken" text,
    "accessTokenExpiresAt" timestamptz,
    "refreshTokenExpiresAt" timestamptz,
    "scope" text,
    "password" text,
    "createdAt" timestamptz NOT NULL,
    "updatedAt" timestamptz NOT NULL,
    "issuer" text NOT NULL,
    CONSTRAINT "account_issuer_accountId_uidx" UNIQUE ("issuer", "accountId")
);
CREATE INDEX IF NOT EXISTS "account_userId_idx" ON "account" ("userId");

CREATE TABLE IF NOT EXISTS "verification" (
    "id" text NOT NULL PRIMARY KEY,
    "identifier" text NOT NULL,
    "value" text NOT NULL,
    "expiresAt" timestamptz NOT NULL,
    "createdAt" timestamptz NOT NULL,
    "updatedAt" timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS "verification_identifier_idx" ON "verification" ("identifier");

CREATE TABLE IF NOT EXISTS "jwks" (
    "id" text NOT NULL PRIMARY KEY,
    "publicKey" text NOT NULL,
    "privateKey" text NOT NULL,
    "createdAt" timestamptz NOT NULL,
    "expiresAt" timestamptz,
    "alg" text,
    "crv" text
);

-- Better Auth's optional database rate-limit store (used when instances share a DB).
CREATE TABLE IF NOT EXISTS "rateLimit" (
    "id" text NOT NULL PRIMARY KEY,
    "key" text NOT NULL UNIQUE,
    "count" integer NOT NULL,
    "lastRequest" bigint NOT NULL
);

-- The product's own data. Integer ids keep the original FastAPI API's paths valid.
CREATE TABLE IF NOT EXISTS "task" (
    "id" bigserial PRIMARY KEY,
    "user_id" text NOT NULL REFERENCES "user" ("id") ON DELETE CASCADE,
    "title" text NOT NULL,
    "description" text,
    "completed" boolean NOT NULL DEFAULT false,
    -- 0 = low, 1 = medium, 2 = high: an integer so that sorting by priority is an index walk.
    "priority" smallint NOT NULL DEFAULT 1,
    -- Tags as a JSON array for reads; "task_tag" below is what filters use.
    "tags" text NOT NULL DEFAULT '[]',
    -- A calendar date, YYYY-MM-DD, which sorts correctly as text.
    "due_date" text,
    "created_at" timestamptz NOT NULL,
    "updated_at" timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS "task_user_created_idx" ON "task" ("user_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "task_user_completed_idx" ON "task" ("user_id", "completed", "created_at");
CREATE INDEX IF NOT EXISTS "task_user_updated_idx" ON "task" ("user_id", "updated_at");
CREATE INDEX IF NOT EXISTS "task_user_due_idx" ON "task" ("user_id", "due_date");
CREATE INDEX IF NOT EXISTS "task_user_priority_idx" ON "task" ("user_id", "priority");

CREATE TABLE IF NOT EXISTS "task_tag" (
    "task_id" bigint NOT NULL REFERENCES "task" ("id") ON DELETE CASCADE,
    "user_id" text NOT NULL,
    "tag" text NOT NULL,
    PRIMARY KEY ("task_id", "tag")
);
CREATE INDEX IF NOT EXISTS "task_tag_user_tag_idx" ON "task_tag" ("user_id", "tag");
