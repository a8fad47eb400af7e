// Passkeys in the browser, for /sign-in and /settings only (the board never loads it):
// the WebAuthn calls around Better Auth's passkey endpoints, which do all the checking.
// Outcomes come back as the page's own `?error=CODE` / `?done=…`, so the words live
// in one place (the server's messages). Forms opt in with `data-passkey` (without
// JavaScript they land back on the page with `?error=PASSKEYS_NEED_JAVASCRIPT`):
//   sign-in  signs in with a passkey;
//   add      registers one, named by its `name` field.
// An input with autocomplete="username webauthn" on the page asks the browser to offer
// passkeys in its autofill (conditional UI) as soon as the page loads.
const api = '/api/auth/passkey/';

async function call(path, body) {
  const init = body === undefined ? {} : {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
  const res = await fetch(api + path, { credentials: 'same-origin', ...init });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(data.message || res.statusText), { wire: data.code || 'UNKNOWN_ERROR' });
  return data;
}

// Back to this page with an outcome (keeping `next`).
function land(key, value) {
  const url = new URL(location.href);
  for (const k of ['error', 'done']) url.searchParams.delete(k);
  url.searchParams.set(key, value);
  location.assign(url.pathname + url.search);
}

// The server's code, or a browser's refusal as the plugin's client names it. (A
// DOMException's own `code` is a legacy number, not one of these.)
function codeOf(err, cancelled) {
  if (err.wire) return err.wire;
  if (err.name === 'NotAllowedError' || err.name === 'AbortError') return cancelled;
  if (err.name === 'InvalidStateError') return 'PREVIOUSLY_REGISTERED';
  return 'UNKNOWN_ERROR';
}

// Where to go after signing in: the page's `next`, if it is a path of this site.
function next() {
  const n = new URL(location.href).searchParams.get('next') || '/';
  return /^\/(?![/\\])/.test(n) ? n : '/';
}

let pending = null;

async function signIn(mediation) {
  pending?.abort();
  const abort = pending = new AbortController();
  try {
    const options = await call('generate-authenticate-options');
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options);
    const credential = await navigator.credentials.get({ publicKey, mediation, signal: abort.signal });
    await call('verify-authentication', { response: credential.toJSON() });
    location.assign(next());
  } catch (err) {
    // A conditional request replaced by the button's is no failure; nor is an autofill
    // request the browser turns down (nobody asked for it): only the server's verdict
    // on a passkey the user picked is news.
    if (abort.signal.aborted || (mediation === 'conditional' && !err.wire)) return;
    land('error', codeOf(err, 'AUTH_CANCELLED'));
  }
}

async function add(form) {
  const name = (new FormData(form).get('name') || '').toString().trim();
  try {
    const options = await call('generate-register-options');
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options);
    const credential = await navigator.credentials.create({ publicKey });
    await call('verify-registration', { response: credential.toJSON(), ...(name && { name }) });
    land('done', 'passkey_added');
  } catch (err) {
    land('error', codeOf(err, 'REGISTRATION_CANCELLED'));
  }
}

if (window.PublicKeyCredential?.parseRequestOptionsFromJSON) {
  for (const form of document.querySelectorAll('form[data-passkey]')) {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (form.dataset.passkey === 'sign-in') signIn(undefined);
      else add(form);
    });
  }
  if (document.querySelector('input[autocomplete~="webauthn"]')) {
    PublicKeyCredential.isConditionalMediationAvailable?.().then((yes) => yes && signIn('conditional'));
  }
}
