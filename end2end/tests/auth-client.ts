// The official better-auth client with a small cookie jar standing in for the browser's,
// sending the Origin a browser would. `send` is where requests go: `fetch` for a server
// over HTTP, or a Better Auth instance's own `handler` in this process.
import { createAuthClient } from 'better-auth/client';
import { jwtClient, twoFactorClient } from 'better-auth/client/plugins';
import { createOTP } from '@better-auth/utils/otp';
import { base32 } from '@better-auth/utils/base32';

type Send = (request: Request) => Promise<Response>;

export function clientFor(baseURL: string, send: Send = (r) => fetch(r)) {
  const jar = new Map<string, string>();
  const redirects: Array<string[] | undefined> = [];
  const customFetchImpl = async (input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    headers.set('origin', new URL(baseURL).origin);
    const res = await send(new Request(input, { ...init, headers }));
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => a.trim().toLowerCase() === 'max-age=0');
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  };
  const client = createAuthClient({
    baseURL,
    plugins: [
      jwtClient(),
      twoFactorClient({ onTwoFactorRedirect: ({ twoFactorMethods }) => { redirects.push(twoFactorMethods); } }),
    ],
    fetchOptions: { customFetchImpl },
  });
  return { client, jar, redirects };
}

/** The secret inside an `otpauth://` URI (base32-decoded: Better Auth keys TOTP with its bytes). */
export function secretOf(totpURI: string): string {
  const encoded = new URL(totpURI).searchParams.get('secret')!;
  return new TextDecoder().decode(base32.decode(encoded));
}

/** The current code for a secret, computed by Better Auth's own OTP code. */
export function totpNow(secret: string): Promise<string> {
  return createOTP(secret).totp();
}

/** The next time step's code: still accepted (one step of drift), and never one the
 * server has seen (Taskdeck accepts each TOTP step once per user). */
export function totpNext(secret: string): Promise<string> {
  return createOTP(secret).hotp(Math.floor(Date.now() / 30_000) + 1);
}
