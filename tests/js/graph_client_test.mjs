// Microsoft's official Graph JavaScript client (@microsoft/microsoft-graph-client), unchanged,
// against the ccteams Graph + Entra emulator: the proof that the emulator speaks Graph as
// Microsoft's own SDK expects it (issue 3, "Show").
//
// Run by tests/emulator_js_client_test.cpp, which starts `ccteams graph-emulator` over HTTPS and
// passes, in the environment:
//   GRAPH_EMULATOR_URL   https://127.0.0.1:{port} (Entra and Graph on one host)
//   NODE_EXTRA_CA_CERTS  the emulator's CA (written with --ca-out), so TLS is really verified
//   RECEIVER_CERT/_KEY   PEM chain and key for this script's webhook receiver; the emulator
//                        trusts their CA (the C++ test points its OpenSSL at it)
//   REDIRECT_URI         a redirect URI registered for the default app
// Steps: admin consent through the sign-in and consent pages, a token by client credentials,
// users listed with paging (PageIterator) and searched, getPresencesByUserId,
// setPresence/clearPresence, a delegated token by authorization code + PKCE, a presence
// subscription (validation handshake answered) and the change notification it delivers.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import { test } from 'node:test';
import graph from '@microsoft/microsoft-graph-client';

const { Client, PageIterator } = graph;

function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (this script is run by emulator_js_client_test)`);
  return v;
}

const base = required('GRAPH_EMULATOR_URL').replace(/\/+$/, '');
const redirectUri = required('REDIRECT_URI');
const receiverTls = { cert: fs.readFileSync(required('RECEIVER_CERT')),
                      key: fs.readFileSync(required('RECEIVER_KEY')) };
const kStepTimeoutMs = 20_000;

async function getJson(path) {
  const r = await fetch(base + path);
  assert.equal(r.status, 200, `${path}: ${r.status}`);
  return r.json();
}

// A form POST that does not follow redirects: the browser steps are driven by hand.
async function postForm(url, fields) {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

// The pages carry their action and the hidden flow id; read them as a browser would.
function formOf(html) {
  const action = /<form method="post" action="([^"]+)"/.exec(html);
  const flow = /name="flow" value="([^"]+)"/.exec(html);
  assert.ok(action && flow, `not a sign-in/consent form:\n${html.slice(0, 400)}`);
  return { action: new URL(action[1].replaceAll('&amp;', '&'), base).href, flow: flow[1] };
}

// Drives GET {startUrl} -> sign-in page (Email, Next) -> consent page (Accept) when shown ->
// the redirect to redirectUri; returns the redirect's query parameters.
async function signInAndConsent(startUrl, email) {
  const start = await fetch(startUrl, { redirect: 'manual' });
  assert.equal(start.status, 200, `authorize page: ${start.status}`);
  const signInHtml = await start.text();
  assert.match(signInHtml, />Email</);
  assert.match(signInHtml, />Next</);
  let page = formOf(signInHtml);
  let r = await postForm(page.action, { flow: page.flow, login: email });
  if (r.status === 200) {
    const consentHtml = await r.text();
    assert.match(consentHtml, />Accept</, 'a consent page with Accept');
    assert.match(consentHtml, />Cancel</);
    page = formOf(consentHtml);
    r = await postForm(page.action, { flow: page.flow, decision: 'accept' });
  }
  assert.equal(r.status, 302, `expected the redirect to the app, got ${r.status}`);
  const location = new URL(r.headers.get('location'));
  assert.equal(location.origin + location.pathname, redirectUri);
  return location.searchParams;
}

async function tokenRequest(tenant, fields) {
  const r = await postForm(`${base}/${tenant}/oauth2/v2.0/token`, fields);
  const body = await r.json();
  assert.equal(r.status, 200, `token endpoint: ${JSON.stringify(body)}`);
  assert.equal(body.token_type, 'Bearer');
  return body;
}

function graphClient(accessToken) {
  return Client.init({
    authProvider: (done) => done(null, accessToken),
    baseUrl: base,
    // The client only attaches the bearer token to Graph's own hosts and to these.
    customHosts: new Set([new URL(base).hostname]),
  });
}

// The webhook receiver: answers the validation handshake with the decoded token, 202s
// notifications and hands them to whoever waits.
function startReceiver() {
  const notifications = [];
  const waiters = [];
  let validations = 0;
  const server = https.createServer(receiverTls, (req, res) => {
    const url = new URL(req.url, 'https://localhost');
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const token = url.searchParams.get('validationToken');
      if (token !== null) {
        validations += 1;
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(token);  // URLSearchParams already decoded it, as Graph requires
        return;
      }
      res.writeHead(202);
      res.end();
      for (const n of JSON.parse(Buffer.concat(chunks).toString('utf8')).value) {
        notifications.push(n);
      }
      for (const w of waiters.splice(0)) w();
    });
  });
  const waitFor = (pred) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no matching notification in time')),
                             kStepTimeoutMs);
    const check = () => {
      const hit = notifications.find(pred);
      if (hit) {
        clearTimeout(timer);
        resolve(hit);
      } else {
        waiters.push(check);
      }
    };
    check();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `https://127.0.0.1:${server.address().port}`,
    validations: () => validations,
    waitFor,
    close: () => new Promise((done) => server.close(done)),
  })));
}

test('the official Graph JS client works against the emulator', { timeout: 120_000 }, async (t) => {
  const tenant = await getJson('/_emulator/tenant');
  const app = (await getJson('/_emulator/apps')).value[0];
  const accounts = Object.fromEntries(
    tenant.accounts.map((a) => [a.userPrincipalName.split('@')[0], a]));
  let appToken;
  let appClient;

  await t.test('admin consent through the sign-in and consent pages', async () => {
    const q = new URLSearchParams({
      client_id: app.clientId, redirect_uri: redirectUri, state: 'st-1',
      scope: 'https://graph.microsoft.com/.default',
    });
    const params = await signInAndConsent(
      `${base}/${tenant.tenantId}/v2.0/adminconsent?${q}`, accounts.admin.userPrincipalName);
    assert.equal(params.get('error'), null, params.get('error_description'));
    assert.equal(params.get('admin_consent'), 'True');
    assert.equal(params.get('tenant'), tenant.tenantId);
    assert.equal(params.get('state'), 'st-1');
  });

  await t.test('token by client credentials', async () => {
    const body = await tokenRequest(tenant.tenantId, {
      grant_type: 'client_credentials', client_id: app.clientId,
      client_secret: app.clientSecret, scope: 'https://graph.microsoft.com/.default',
    });
    assert.equal(body.refresh_token, undefined, 'client credentials never give a refresh token');
    appToken = body.access_token;
    appClient = graphClient(appToken);
  });

  await t.test('list every user with PageIterator ($select, $top)', async () => {
    const first = await appClient.api('/users').select('id,displayName,department').top(7).get();
    assert.ok(first['@odata.nextLink'], 'a first page of 7 has a nextLink');
    assert.equal(first.value.length, 7);
    const ids = new Set();
    const iterator = new PageIterator(appClient, first, (user) => {
      assert.deepEqual(Object.keys(user).sort(), ['department', 'displayName', 'id']);
      ids.add(user.id);
      return true;
    });
    await iterator.iterate();
    assert.ok(iterator.isComplete());
    assert.equal(ids.size, tenant.users, 'every user exactly once across the pages');
    const count = await appClient.api('/users/$count').header('ConsistencyLevel', 'eventual')
      .get();
    assert.equal(Number(count), tenant.users);
  });

  await t.test('search users (ConsistencyLevel: eventual), and the error without it', async () => {
    const admin = await appClient.api(`/users/${accounts.admin.id}`).select('displayName').get();
    const word = admin.displayName.split(/\s+/)[0];
    const r = await appClient.api('/users').header('ConsistencyLevel', 'eventual')
      .search(`"displayName:${word}"`).count(true).select('id,displayName').get();
    assert.ok(r.value.some((u) => u.id === accounts.admin.id), JSON.stringify(r.value));
    assert.ok(r.value.every((u) => u.displayName.toLowerCase().includes(word.toLowerCase())));
    assert.equal(r['@odata.count'], r.value.length);
    await assert.rejects(appClient.api('/users').search(`"displayName:${word}"`).get(), (e) => {
      assert.equal(e.statusCode, 400);
      assert.equal(e.code, 'Request_UnsupportedQuery');
      return true;
    });
  });

  const watched = accounts.member.id;

  await t.test('setPresence, getPresencesByUserId, clearPresence', async () => {
    const presence = appClient.api(`/users/${watched}/presence/setPresence`);
    await presence.post({ sessionId: app.clientId, availability: 'Busy', activity: 'InACall',
                          expirationDuration: 'PT1H' });
    const got = await appClient.api('/communications/getPresencesByUserId')
      .post({ ids: [watched, accounts.admin.id] });
    const mine = got.value.find((p) => p.id === watched);
    assert.equal(mine.availability, 'Busy');
    assert.equal(mine.activity, 'InACall');
    assert.ok(mine.sequenceNumber, 'presence carries a sequenceNumber');
    // The sixth pair (Busy/Busy) is not settable through setPresence in v1.0.
    await assert.rejects(presence.post({ sessionId: app.clientId, availability: 'Busy',
                                         activity: 'Busy' }), (e) => e.statusCode === 400);
    await appClient.api(`/users/${watched}/presence/clearPresence`)
      .post({ sessionId: app.clientId });
    const after = await appClient.api(`/users/${watched}/presence`).get();
    assert.equal(after.availability, 'Offline');
    await assert.rejects(appClient.api(`/users/${watched}/presence/clearPresence`)
      .post({ sessionId: app.clientId }), (e) => e.statusCode === 404);
  });

  let userToken;
  await t.test('delegated token by authorization code + PKCE', async () => {
    const verifier = crypto.randomBytes(32).toString('base64url');
    const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
    const q = new URLSearchParams({
      client_id: app.clientId, response_type: 'code', redirect_uri: redirectUri,
      response_mode: 'query', state: 'st-2', prompt: 'consent',
      scope: 'openid offline_access https://graph.microsoft.com/Presence.Read.All',
      code_challenge: challenge, code_challenge_method: 'S256',
      login_hint: accounts.privadmin.userPrincipalName,
    });
    const params = await signInAndConsent(
      `${base}/${tenant.tenantId}/oauth2/v2.0/authorize?${q}`,
      accounts.privadmin.userPrincipalName);
    assert.equal(params.get('error'), null, params.get('error_description'));
    assert.equal(params.get('state'), 'st-2');
    const body = await tokenRequest(tenant.tenantId, {
      grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret,
      code: params.get('code'), redirect_uri: redirectUri, code_verifier: verifier,
    });
    assert.ok(body.refresh_token, 'offline_access gives a refresh token');
    assert.ok(body.id_token, 'openid gives an id token');
    userToken = body.access_token;
  });

  await t.test('presence subscription and a notification after a change', async () => {
    const receiver = await startReceiver();
    try {
      const userClient = graphClient(userToken);
      const expires = new Date(Date.now() + 30 * 60_000).toISOString();
      const sub = await userClient.api('/subscriptions').post({
        changeType: 'updated',
        notificationUrl: `${receiver.url}/hook`,
        lifecycleNotificationUrl: `${receiver.url}/lifecycle`,
        resource: `/communications/presences?$filter=id in ('${watched}')`,
        expirationDateTime: expires,
        clientState: 'js-client-state',
      });
      assert.ok(sub.id);
      assert.equal(receiver.validations(), 2, 'both URLs validated before the create returned');
      // App-only tokens cannot subscribe to presence.
      await assert.rejects(appClient.api('/subscriptions').post({
        changeType: 'updated', notificationUrl: `${receiver.url}/hook`,
        resource: `communications/presences/${watched}`, expirationDateTime: expires,
      }), (e) => e.statusCode === 403);

      await appClient.api(`/users/${watched}/presence/setPresence`).post({
        sessionId: app.clientId, availability: 'DoNotDisturb', activity: 'Presenting' });
      const n = await receiver.waitFor((x) => x.subscriptionId === sub.id);
      assert.equal(n.clientState, 'js-client-state');
      assert.equal(n.changeType, 'updated');
      assert.equal(n.tenantId, tenant.tenantId);
      assert.match(n.resource, new RegExp(`communications/presences/${watched}`, 'i'));
      assert.equal(n.resourceData.id, watched);

      await userClient.api(`/subscriptions/${sub.id}`).delete();
      await appClient.api(`/users/${watched}/presence/clearPresence`)
        .post({ sessionId: app.clientId });
    } finally {
      await receiver.close();
    }
  });
});
