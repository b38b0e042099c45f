// The web console in a real browser: Debian's Chromium driven by playwright-core (never a
// downloaded browser) against `ccteams demo --simulation off`.
//
//   CCTEAMS_BINARY=build/ccteams SCREENSHOT_DIR=build/screenshots node --test console_test.mjs
//
// Missing Chromium, Node packages or the binary fail the run with what to install; nothing is
// skipped. Screenshots of the sign-in page, agent desktop and supervisor view go to
// SCREENSHOT_DIR.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Demo } from './demo.mjs';
import { Browser, kBinary, kShots, kWait } from './support.mjs';

const launcher = new Browser();
let browser;
const demo = new Demo(kBinary);
let adminToken;
let salesQueue;
let supervisor; // the supervisor's page, open for the whole run
const cspViolations = [];
const pageErrors = [];

before(async () => {
  await launcher.launch();  // checks the binary, Chromium and playwright-core
  browser = launcher.browser;
  await demo.start();
  adminToken = await demo.token('admin');
  const queues = await demo.call('GET', '/api/v1/queues', { token: adminToken });
  salesQueue = queues.body.items.find((q) => q.name === 'Sales').id;
  // The demo's profile has no wrap-up time; give it one so that the desktop's wrap-up shows.
  const profiles = await demo.call('GET', '/api/v1/desktop-profiles', { token: adminToken });
  const profile = profiles.body.items.find((p) => p.name === 'Demo agents');
  const patched = await demo.call('PATCH', `/api/v1/desktop-profiles/${profile.id}`,
    { token: adminToken, body: { wrapUpSeconds: 120 } });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the pages');
  await launcher.close();
  await demo.stop();
});

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  return page;
}

async function signIn(page, username, password = 'pw') {
  await page.goto(demo.base + '/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

function agentRow(page, username) {
  return page.locator(`#agents tr[data-agent="${username}"]`);
}

test('the root redirects to sign-in, and sign-in errors are shown', async () => {
  const page = await newPage();
  await page.goto(demo.base + '/');
  assert.match(page.url(), /\/sign-in\.html$/);
  await page.screenshot({ path: join(kShots, 'sign-in.png') });

  await signIn(page, 'agent1', 'wrong');
  await page.getByRole('alert').filter({ hasText: 'Wrong username or password' }).waitFor({ timeout: kWait });
  assert.match(page.url(), /\/sign-in\.html$/);

  // Five failures lock a username (docs/api.md); the sixth attempt shows when to retry.
  for (let i = 0; i < 5; i++) {
    const r = await demo.call('POST', '/api/v1/auth/login', { body: { username: 'agent3', password: 'x' } });
    assert.ok(r.status === 401 || r.status === 429, `failure ${i}: ${r.status}`);
  }
  await signIn(page, 'agent3', 'pw');
  const alert = page.getByRole('alert');
  await alert.filter({ hasText: 'Account locked' }).waitFor({ timeout: kWait });
  assert.match(await alert.textContent(), /try again at \d{1,2}:\d{2}/i);
  await page.context().close();
});

test('keyboard-only sign-in lands the supervisor on the supervisor view', async () => {
  supervisor = await newPage();
  await supervisor.goto(demo.base + '/sign-in.html');
  // The username field has focus on load; Tab, typing and Enter do the rest.
  await supervisor.keyboard.type('supervisor');
  await supervisor.keyboard.press('Tab');
  await supervisor.keyboard.type('pw');
  await supervisor.keyboard.press('Enter');
  await supervisor.waitForURL(/\/supervisor\.html$/, { timeout: kWait });
  await supervisor.locator('#connection[data-state="live"]').waitFor({ timeout: kWait });
  await agentRow(supervisor, 'agent1').waitFor({ timeout: kWait });
  // A supervisor who is also an agent can switch to the desktop.
  await supervisor.getByRole('link', { name: 'Agent desktop' }).waitFor();
  assert.equal(await supervisor.locator('#queues tbody tr').count(), 2);
});

test('an agent takes a contact from ringing to wrap-up, and the supervisor sees each step', async () => {
  assert.ok(supervisor, 'the supervisor test ran first');
  const row = agentRow(supervisor, 'agent1');
  const rowSays = (text) => row.locator('td').nth(0).filter({ hasText: text }).waitFor({ timeout: kWait });

  const page = await newPage();
  await signIn(page, 'agent1');
  await page.waitForURL(/\/desktop\.html$/, { timeout: kWait });
  await page.locator('#connection[data-state="live"]').waitFor({ timeout: kWait });
  const badge = page.locator('#state-text');
  await badge.filter({ hasText: 'Logged out' }).waitFor({ timeout: kWait });

  await page.getByRole('button', { name: 'Log in to the desktop' }).click();
  await badge.filter({ hasText: 'Available' }).waitFor({ timeout: kWait });
  await rowSays('Available');

  // The demo's telephony: a customer calls Sales; agent1 is the only one available.
  const created = await demo.call('POST', '/api/v1/demo/contacts',
    { token: adminToken, body: { queueId: salesQueue, caller: '+14255550123' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));

  const offer = page.getByRole('region', { name: 'Incoming contact' });
  await offer.waitFor({ timeout: kWait });
  assert.match(await offer.textContent(), /\+14255550123 is calling/);
  await badge.filter({ hasText: 'Ringing' }).waitFor({ timeout: kWait });
  await rowSays('Ringing');
  // The countdown is live: it goes down while it rings.
  const countdown = page.locator('#offer-countdown');
  const first = Number.parseInt(await countdown.textContent(), 10);
  assert.ok(first > 0 && first <= 15, `countdown ${first}`);
  await page.waitForFunction((start) =>
    Number.parseInt(document.getElementById('offer-countdown').textContent, 10) < start, first,
  { timeout: 8000 });
  assert.equal(await page.locator('#offer-announce').textContent(),
    'Incoming contact from +14255550123. Accept or decline.');
  await page.screenshot({ path: join(kShots, 'agent-desktop-ringing.png') });

  await page.getByRole('button', { name: 'Accept' }).click();
  const active = page.getByRole('region', { name: 'Active contact' });
  await active.filter({ hasText: 'Connected' }).waitFor({ timeout: kWait });
  await rowSays('On a contact');
  await supervisor.locator('#agents tr[data-agent="agent1"] td').nth(3)
    .filter({ hasText: '+14255550123' }).waitFor({ timeout: kWait });

  await page.getByRole('button', { name: 'Hold' }).click();
  await active.filter({ hasText: 'On hold' }).waitFor({ timeout: kWait });
  await page.getByRole('button', { name: 'Resume' }).click();
  await active.filter({ hasText: 'Connected' }).waitFor({ timeout: kWait });
  // An invalid number is refused with the API's message.
  await page.getByRole('textbox', { name: /Phone number/ }).fill('12');
  await page.getByRole('button', { name: 'Consult' }).click();
  // Beside the form that caused it, not in a global line.
  await page.locator('#target-feedback').filter({ hasText: /E\.164|number/i }).waitFor({ timeout: kWait });
  // Consult an E.164 number, bring them into a conference, drop them again.
  await page.getByRole('textbox', { name: /Phone number/ }).fill('+14255550100');
  await page.getByRole('button', { name: 'Consult' }).click();
  await active.filter({ hasText: 'Consulting' }).waitFor({ timeout: kWait });
  assert.equal(await page.locator('#active-party').textContent(), 'With +14255550100');
  await page.getByRole('button', { name: 'Conference' }).click();
  await active.filter({ hasText: 'In conference' }).waitFor({ timeout: kWait });
  await page.getByRole('button', { name: 'Drop the consulted party' }).click();
  await active.filter({ hasText: 'Connected' }).waitFor({ timeout: kWait });
  await page.screenshot({ path: join(kShots, 'agent-desktop.png') });
  await supervisor.screenshot({ path: join(kShots, 'supervisor.png') });

  await page.getByRole('button', { name: 'End contact' }).click();
  await badge.filter({ hasText: 'Wrap-up' }).waitFor({ timeout: kWait });
  await rowSays('Wrap-up');
  await page.getByLabel('Wrap-up code').fill('Resolved');
  await page.getByRole('button', { name: 'Finish wrap-up' }).click();
  await badge.filter({ hasText: 'Available' }).waitFor({ timeout: kWait });
  await rowSays('Available');

  const sales = supervisor.locator(`#queues tr[data-queue-id="${salesQueue}"]`);
  await sales.locator('[data-field="answered"]').filter({ hasText: /^1$/ }).waitFor({ timeout: kWait });
  assert.equal(await sales.locator('[data-field="offered"]').textContent(), '1');
  assert.equal(await sales.locator('[data-field="waiting"]').textContent(), '0');
  await page.context().close();
});

test('a dropped event stream resumes from its cursor without missing events', async () => {
  const page = await newPage();
  // Every events WebSocket goes through this route, which can cut it like a network failure
  // and hold the reconnect back until a change has happened meanwhile.
  const urls = [];
  const sockets = [];
  let openGate;
  const gate = new Promise((r) => { openGate = r; });
  await page.routeWebSocket(/\/api\/v1\/events/, async (ws) => {
    urls.push(ws.url());
    sockets.push(ws);
    if (sockets.length > 1) await gate;
    ws.connectToServer();
  });
  await signIn(page, 'agent2');
  await page.waitForURL(/\/desktop\.html$/, { timeout: kWait });
  await page.locator('#connection[data-state="live"]').waitFor({ timeout: kWait });
  await page.getByRole('button', { name: 'Log in to the desktop' }).click();
  const badge = page.locator('#state-text');
  await badge.filter({ hasText: 'Available' }).waitFor({ timeout: kWait });
  await page.waitForTimeout(300); // the Available event has arrived: the stream has a cursor

  await sockets[0].close({ code: 1006, reason: 'cut' });
  await page.locator('#connection[data-state="waiting"], #connection[data-state="connecting"]')
    .first().waitFor({ timeout: kWait });
  // While the desktop is disconnected, agent2 goes idle through the API (another tab).
  const token = await demo.token('agent2');
  const codes = await demo.call('GET', '/api/v1/idle-codes', { token: adminToken });
  const lunch = codes.body.items.find((c) => c.name === 'Lunch').id;
  const set = await demo.call('PUT', '/api/v1/me/state',
    { token, body: { state: 'Idle', idleCodeId: lunch } });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.equal(await badge.textContent(), 'Available', 'nothing arrives while cut');
  openGate();

  await badge.filter({ hasText: 'Idle: Lunch' }).waitFor({ timeout: kWait });
  assert.equal(await page.locator('#state-origin').textContent(), 'set by you');
  assert.ok(urls.length >= 2, `reconnected (${urls.length} connections)`);
  assert.match(urls[urls.length - 1], /[?&]after=\d+/, 'the reconnect resumes from the cursor');
  await page.context().close();
});

test('an unanswered contact ends in RONA, shown in words and counted for the supervisor', async () => {
  // agent2 alone, in a queue of its own, with a 5 s RONA timeout (the shortest allowed).
  const users = await demo.call('GET', '/api/v1/users', { token: adminToken });
  const agent2 = users.body.items.find((u) => u.username === 'agent2').id;
  const profile = await demo.call('POST', '/api/v1/desktop-profiles', { token: adminToken,
    body: { name: 'Fast RONA', microsoftTeams: true, webexApp: false, ronaTimeoutSeconds: 5 } });
  assert.equal(profile.status, 201, JSON.stringify(profile.body));
  const queue = await demo.call('POST', '/api/v1/queues', { token: adminToken, body: { name: 'Callbacks' } });
  assert.equal(queue.status, 201, JSON.stringify(queue.body));
  const moved = await demo.call('PATCH', `/api/v1/agents/${agent2}`, { token: adminToken,
    body: { desktopProfileId: profile.body.id, queueIds: [queue.body.id] } });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));

  const page = await newPage();
  await signIn(page, 'agent2');
  await page.waitForURL(/\/desktop\.html$/, { timeout: kWait });
  const badge = page.locator('#state-text');
  await badge.filter({ hasText: 'Idle: Lunch' }).waitFor({ timeout: kWait });
  await page.getByLabel('State', { exact: true }).selectOption('Available');
  await page.getByRole('button', { name: 'Set state' }).click();
  await badge.filter({ hasText: 'Available' }).waitFor({ timeout: kWait });

  const before = Number(await supervisor.locator('#rona-chart').getAttribute('data-total'));
  const created = await demo.call('POST', '/api/v1/demo/contacts',
    { token: adminToken, body: { queueId: queue.body.id, caller: '+14255550999' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await badge.filter({ hasText: 'Ringing' }).waitFor({ timeout: kWait });
  await badge.filter({ hasText: 'Idle: RONA' }).waitFor({ timeout: 30000 });
  assert.equal(await page.locator('#state-origin').textContent(), 'no answer (RONA)');
  assert.ok(await page.getByRole('region', { name: 'Incoming contact' }).isHidden());

  await agentRow(supervisor, 'agent2').locator('td').nth(1)
    .filter({ hasText: 'no answer (RONA)' }).waitFor({ timeout: kWait });
  const row = supervisor.locator(`#queues tr[data-queue-id="${queue.body.id}"]`);
  await row.locator('[data-field="rona"]').filter({ hasText: /^1$/ }).waitFor({ timeout: kWait });
  await supervisor.waitForFunction((n) =>
    Number(document.getElementById('rona-chart').dataset.total) === n + 1, before, { timeout: kWait });
  await supervisor.screenshot({ path: join(kShots, 'supervisor-rona.png') });
  const hangup = await demo.call('POST', `/api/v1/demo/contacts/${created.body.contact.id}/hangup`,
    { token: adminToken });
  assert.equal(hangup.status, 200, JSON.stringify(hangup.body));
  await page.context().close();
});

test('the CSP blocks an injected inline script', async () => {
  const page = await newPage();
  await page.goto(demo.base + '/sign-in.html');
  const blocked = page.evaluate(() => new Promise((resolve) => {
    document.addEventListener('securitypolicyviolation',
      (e) => resolve({ directive: e.effectiveDirective, disposition: e.disposition }), { once: true });
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true;';
    document.body.append(s);
  }));
  const violation = await blocked;
  assert.equal(violation.directive, 'script-src-elem');
  assert.equal(violation.disposition, 'enforce');
  assert.equal(await page.evaluate(() => window.__injected), undefined);
  assert.ok(cspViolations.length > 0, 'Chromium logged the CSP violation');
  await page.context().close();
});

test('pages and assets carry the security and cache headers', async () => {
  const html = await fetch(demo.base + '/desktop.html');
  assert.equal(html.status, 200);
  assert.match(html.headers.get('content-security-policy'), /script-src 'self';/);
  assert.equal(html.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(html.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(html.headers.get('cache-control'), 'no-cache');
  const js = await fetch(demo.base + '/js/api.js');
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  const again = await fetch(demo.base + '/js/api.js', { headers: { 'If-None-Match': js.headers.get('etag') } });
  assert.equal(again.status, 304);
  const traversal = await fetch(demo.base + '/js/..%2f..%2fCMakeLists.txt');
  // The server refuses an encoded slash in a path outright (400) before any file lookup.
  assert.equal(traversal.status, 400);
  assert.doesNotMatch(await traversal.text(), /cmake_minimum_required/);
});
