// A real OpenID provider for the tests (oauth2-mock-server, no login page): started on
// 127.0.0.1:PORT (`node mock-oidc.mjs PORT`), its issuer http://localhost:PORT. The user
// is picked by the authorization request's `login_hint`:
//   alice@example.com             e-mail verified, subject "sub-alice@example.com"
//   unverified:bob@example.com    the provider does not vouch for the e-mail
//   noemail:carol                 no e-mail at all
//   mixup:dave@example.com        the redirect names another issuer (RFC 9207 `iss`)
// It prints "ready <issuer>" once it listens.
import { randomUUID } from 'node:crypto';
import { OAuth2Server } from 'oauth2-mock-server';

const port = Number(process.argv[2] ?? 0);
const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
const byCode = new Map();

function who(hint) {
  const [kind, rest] = hint.includes(':') ? hint.split(/:(.*)/s) : ['verified', hint];
  const email = kind === 'noemail' ? undefined : rest;
  return {
    sub: `sub-${rest}`,
    ...(email && { email, email_verified: kind !== 'unverified' }),
    name: `User ${rest.split('@')[0]}`,
    mixup: kind === 'mixup',
  };
}

server.service.on('beforeAuthorizeRedirect', ({ url }, req) => {
  const user = who(String(req.query.login_hint ?? 'alice@example.com'));
  byCode.set(url.searchParams.get('code'), user);
  url.searchParams.set('iss', user.mixup ? 'https://evil.example' : server.issuer.url);
});
server.service.on('beforeTokenSigning', (token, req) => {
  const { mixup, ...claims } = byCode.get(req.body.code) ?? who('alice@example.com');
  void mixup;
  // A token id: two tokens made in the same second differ (a refresh is seen).
  Object.assign(token.payload, claims, { jti: randomUUID() });
});
// The userinfo endpoint answers for the user the bearer token was issued to (no check
// of its signature: this provider trusts its own tests).
server.service.on('beforeUserinfo', (response, req) => {
  const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
  try {
    const { sub, email, email_verified, name } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    if (!sub) throw new Error('no subject');
    response.body = { sub, email, email_verified, name, picture: `https://example.com/${sub}.png` };
  } catch {
    response.statusCode = 401;
    response.body = { error: 'invalid_token' };
  }
});
server.service.on('beforeResponse', (response) => {
  if (response.body && typeof response.body === 'object' && 'id_token' in response.body) {
    response.body.scope = 'openid email profile';
  }
});
await server.start(port, '127.0.0.1');
console.log(`ready ${server.issuer.url}`);
