// The official better-auth client (createAuthClient + jwtClient), unchanged, driving
// this Rust server exactly as it would drive a Better Auth one. Runs in Node (see
// ./auth-client for the cookie jar that stands in for the browser's).
import { test, expect } from '@playwright/test';
import { clientFor } from './auth-client';
import { createRemoteJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';

test('sign up, session, JWT, sign out, sign in: all through the official client', async ({ baseURL }) => {
  const base = baseURL!;
  const { client, jar } = clientFor(base);
  const email = `client-${Date.now()}@example.com`;
  const password = 'a long enough password';

  const signUp = await client.signUp.email({ name: 'Client Test', email, password });
  expect(signUp.error).toBeNull();
  expect(signUp.data?.user.email).toBe(email);
  expect(typeof signUp.data?.token).toBe('string');
  expect(jar.has('better-auth.session_token')).toBe(true);

  let headerJwt: string | null = null;
  const session = await client.getSession({
    fetchOptions: { onSuccess: (ctx) => { headerJwt = ctx.response.headers.get('set-auth-jwt'); } },
  });
  expect(session.error).toBeNull();
  expect(session.data?.user.email).toBe(email);
  expect(session.data?.session.expiresAt).toBeInstanceOf(Date);
  expect(session.data!.session.expiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600 * 1000);
  expect(headerJwt).toBeTruthy();

  const token = await client.token();
  expect(token.error).toBeNull();
  const jwt = token.data!.token;
  expect(decodeProtectedHeader(jwt).alg).toBe('EdDSA');

  // An independent verifier: jose against the published JWKS, as Better Auth documents.
  const jwks = createRemoteJWKSet(new URL('/api/auth/jwks', base));
  const origin = new URL(base).origin;
  const { payload } = await jwtVerify(jwt, jwks, { issuer: origin, audience: origin });
  expect(payload.sub).toBe(session.data!.user.id);
  expect(payload.email).toBe(email);
  const fromHeader = await jwtVerify(headerJwt!, jwks, { issuer: origin, audience: origin });
  expect(fromHeader.payload.sub).toBe(payload.sub);

  const keys = await client.jwks();
  expect(keys.data?.keys[0]).toMatchObject({ alg: 'EdDSA', crv: 'Ed25519', kty: 'OKP' });

  // The JWT opens the tasks API (the FastAPI replacement).
  const created = await fetch(`${base}/api/${payload.sub}/tasks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'from the official client' }),
  });
  expect(created.status).toBe(201);

  const signOut = await client.signOut();
  expect(signOut.error).toBeNull();
  expect(signOut.data).toEqual({ success: true });
  const after = await client.getSession();
  expect(after.data).toBeNull();

  const wrong = await client.signIn.email({ email, password: 'not the password' });
  expect(wrong.data).toBeNull();
  expect(wrong.error?.status).toBe(401);
  expect(wrong.error?.code).toBe('INVALID_EMAIL_OR_PASSWORD');

  const signIn = await client.signIn.email({ email: email.toUpperCase(), password });
  expect(signIn.error).toBeNull();
  expect(signIn.data?.user.email).toBe(email);
  const again = await client.getSession();
  expect(again.data?.user.id).toBe(payload.sub);
});

test('the client sees Better Auth error codes for sign-up mistakes', async ({ baseURL }) => {
  const { client } = clientFor(baseURL!);
  const email = `dup-${Date.now()}@example.com`;
  expect((await client.signUp.email({ name: 'A', email, password: 'password one' })).error).toBeNull();
  const dup = await client.signUp.email({ name: 'B', email, password: 'password two' });
  expect(dup.error?.status).toBe(422);
  expect(dup.error?.code).toBe('USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL');
  const short = await client.signUp.email({ name: 'C', email: `x${email}`, password: 'short' });
  expect(short.error?.status).toBe(400);
  expect(short.error?.code).toBe('PASSWORD_TOO_SHORT');
});

test('session management through the client: list and revoke other sessions', async ({ baseURL }) => {
  const email = `multi-${Date.now()}@example.com`;
  const password = 'password for sessions';
  const first = clientFor(baseURL!);
  await first.client.signUp.email({ name: 'Multi', email, password });
  const second = clientFor(baseURL!);
  expect((await second.client.signIn.email({ email, password })).error).toBeNull();

  const list = await first.client.listSessions();
  expect(list.error).toBeNull();
  expect(list.data?.length).toBe(2);

  expect((await first.client.revokeOtherSessions()).data).toEqual({ status: true });
  expect((await second.client.getSession()).data).toBeNull();
  expect((await first.client.getSession()).data?.user.email).toBe(email);
});
