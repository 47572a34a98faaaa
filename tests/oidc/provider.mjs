// Two OpenID providers for Veertig's tests, started by tests/app/oidc.rs (one process per test
// run; it ends when its standard input closes, that is when the test process ends).
//
// 1. A real one: the certified `oidc-provider` package, with a login form of our own (a user
//    name, no password) and users registered by the tests through `POST /test/account`
//    (`{ sub, email, email_verified, name, amr, acr, refuse }`). Clients register themselves
//    through standard dynamic client registration (`POST /reg`), choosing their own client id,
//    so a test can configure Veertig before it knows Veertig's port.
// 2. A liar: a tiny provider that does the authorization code flow properly but answers the
//    token request with an ID token that is wrong in the way the client id asks for
//    (`unsigned`, `wrong-audience`, `wrong-issuer`, `expired`; anything else gets an honest
//    token). It produces the bad answers a certified provider never gives.
//
// The first line on standard output is `{"issuer": …, "liar": …}`.

import crypto from 'node:crypto';
import http from 'node:http';

import { Provider } from 'oidc-provider';

const accounts = new Map();

function listen(server) {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// --- The real provider ------------------------------------------------------------------------

const realServer = http.createServer();
const issuer = await listen(realServer);

const provider = new Provider(issuer, {
  clientBasedCORS: () => false,
  // Email claims go into the ID token, as Keycloak and Entra ID put them there.
  conformIdTokenClaims: false,
  // `acr` and `amr` with `openid`, so that every ID token carries them (as Entra ID and
  // Keycloak do) without the client asking through the `claims` parameter.
  claims: {
    auth_time: null,
    iss: null,
    sid: null,
    openid: ['sub', 'acr', 'amr'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  features: {
    devInteractions: { enabled: false },
    registration: {
      enabled: true,
      idFactory: (ctx) => ctx.oidc.body.client_id,
      secretFactory: (ctx) => ctx.oidc.body.client_secret,
    },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(ctx, sub) {
    const account = accounts.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        const claims = { sub };
        for (const name of ['email', 'email_verified', 'name']) {
          if (account[name] !== undefined) claims[name] = account[name];
        }
        return claims;
      },
    };
  },
  // Veertig is a first-party client: no consent screen.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  pkce: { required: () => true },
});
provider.proxy = false;

provider.use(async (ctx, next) => {
  if (ctx.path === '/test/account' && ctx.method === 'POST') {
    const account = JSON.parse(await readBody(ctx.req));
    accounts.set(account.sub, account);
    ctx.status = 204;
    return;
  }
  const interaction = ctx.path.match(/^\/interaction\/([^/]+)$/);
  if (!interaction) {
    await next();
    return;
  }
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = `<!doctype html><html lang="nl"><head><title>Testaanbieder</title></head><body>
<h1>Aanmelden bij de testaanbieder</h1>
<form method="post" action="/interaction/${escape(details.uid)}">
<label for="login">Gebruikersnaam</label> <input id="login" name="login" autofocus>
<button type="submit">Aanmelden</button>
</form></body></html>`;
    return;
  }
  const form = new URLSearchParams(await readBody(ctx.req));
  const account = accounts.get(form.get('login') ?? '');
  let result;
  if (!account) {
    result = { error: 'access_denied', error_description: 'unknown user' };
  } else if (account.refuse) {
    result = { error: 'access_denied', error_description: 'the user said no' };
  } else {
    result = { login: { accountId: account.sub, amr: account.amr, acr: account.acr } };
  }
  ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result));
});

realServer.on('request', provider.callback());

// --- The liar ---------------------------------------------------------------------------------

const liarServer = http.createServer();
const liar = await listen(liarServer);
const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'liar', alg: 'RS256', use: 'sig' };
const codes = new Map();

function base64url(value) {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function idToken(lie, { clientId, nonce }) {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: lie === 'wrong-issuer' ? 'http://issuer.elsewhere.example' : liar,
    sub: 'liar-subject',
    aud: lie === 'wrong-audience' ? 'someone-else' : clientId,
    iat: lie === 'expired' ? now - 7200 : now,
    exp: lie === 'expired' ? now - 3600 : now + 300,
    nonce,
    email: 'liar@test.example',
    email_verified: true,
  };
  if (lie === 'unsigned') {
    return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
  }
  const input = `${base64url({ alg: 'RS256', typ: 'JWT', kid: 'liar' })}.${base64url(claims)}`;
  const signature = crypto.sign('RSA-SHA256', Buffer.from(input), privateKey).toString('base64url');
  return `${input}.${signature}`;
}

liarServer.on('request', async (req, res) => {
  const url = new URL(req.url, liar);
  const json = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  if (url.pathname === '/.well-known/openid-configuration') {
    json(200, {
      issuer: liar,
      authorization_endpoint: `${liar}/authorize`,
      token_endpoint: `${liar}/token`,
      jwks_uri: `${liar}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
  } else if (url.pathname === '/jwks') {
    json(200, { keys: [jwk] });
  } else if (url.pathname === '/authorize') {
    const code = crypto.randomBytes(16).toString('hex');
    codes.set(code, {
      clientId: url.searchParams.get('client_id'),
      nonce: url.searchParams.get('nonce'),
    });
    const back = new URL(url.searchParams.get('redirect_uri'));
    back.searchParams.set('code', code);
    back.searchParams.set('state', url.searchParams.get('state'));
    res.writeHead(302, { location: back.toString() });
    res.end();
  } else if (url.pathname === '/token' && req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req));
    const grant = codes.get(form.get('code'));
    codes.delete(form.get('code'));
    if (!grant) {
      json(400, { error: 'invalid_grant' });
      return;
    }
    json(200, {
      access_token: crypto.randomBytes(16).toString('hex'),
      token_type: 'Bearer',
      expires_in: 300,
      id_token: idToken(grant.clientId, grant),
    });
  } else {
    json(404, { error: 'not_found' });
  }
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
console.log(JSON.stringify({ issuer, liar }));
