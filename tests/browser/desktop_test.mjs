// The agent desktop (issue 19, "Agent") against its own `ccteams demo` with the Teams connector
// Active: an offer names its queue and is noticed (tab title, a sound that can be switched off,
// a browser notification once allowed); the agent's queues show their waiting customers;
// consulting another agent through a picker that shows states; while consulting, Transfer to
// <name>, Conference and Cancel consult; a Do-not-disturb expert asks "call anyway?" before
// dialling; the agent's own Teams presence with a hint when it disagrees; a Teams-driven idle
// noticed; RONA explained; feedback beside the control that caused it.
//
// The browser's Notification and AudioContext are replaced by recorders (an init script), so
// that what the page raised can be read back; everything else is the real page.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Demo } from './demo.mjs';
import { accessibilityProblems, Browser, eventually, kBinary, kShots, kWait, signIn } from './support.mjs';

const demo = new Demo(kBinary);
const browser = new Browser();
let adminToken;
let agentsByName;
let sales;
let contact2; // the contact agent1 hands to agent2, then agent2 to a Teams expert
let agent1; // agent1's page, open for the whole file
let agent2;

function recorders() {
  window.__notes = [];
  window.__sounds = 0;
  class FakeNotification {
    constructor(title, options) { window.__notes.push({ title, body: options && options.body }); }
    close() {}
  }
  // A permission outlives a reload, as the browser's own does.
  const remembered = () => { try { return sessionStorage.getItem('test.notifications'); } catch { return null; } };
  FakeNotification.permission = remembered() || 'default';
  FakeNotification.requestPermission = async () => {
    FakeNotification.permission = 'granted';
    sessionStorage.setItem('test.notifications', 'granted');
    return 'granted';
  };
  window.Notification = FakeNotification;
  class FakeAudio {
    constructor() { this.currentTime = 0; this.destination = {}; }
    createOscillator() {
      return { frequency: {}, connect: (g) => g, start() { window.__sounds += 1; }, stop() {} };
    }
    createGain() {
      return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect: (d) => d };
    }
  }
  window.AudioContext = FakeAudio;
}

before(async () => {
  await browser.launch();
  await demo.start();
  adminToken = await demo.token('admin');
  assert.equal(await demo.setUpConnector(adminToken), 200, 'the consent callback succeeded');
  const c = await demo.call('PATCH', '/api/v1/connectors/msteams',
    { token: adminToken, body: { presenceSync: true, showUserDetails: true } });
  assert.equal(c.status, 200, JSON.stringify(c.body));
  const agents = await demo.call('GET', '/api/v1/agents', { token: adminToken });
  agentsByName = new Map(agents.body.items.map((a) => [a.username, a]));
  const queues = await demo.call('GET', '/api/v1/queues', { token: adminToken });
  sales = queues.body.items.find((q) => q.name === 'Sales').id;
  for (const name of ['agent1', 'agent2']) await setPresence(agentsByName.get(name).teamsUserId, 'Available', 'Available');
});

after(async () => {
  await browser.close();
  await demo.stop();
  browser.assertClean();
});

async function setPresence(teamsUserId, availability, activity) {
  const r = await demo.emulator('POST', `/_emulator/users/${teamsUserId}/presence`, { availability, activity });
  assert.equal(r.status, 200, r.text);
}

async function openDesktop(username) {
  const page = await browser.newPage({ initScript: recorders });
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, demo.base, username);
  await page.waitForURL(/\/desktop\.html$/, { timeout: kWait });
  await page.locator('#connection[data-state="live"]').waitFor({ timeout: kWait });
  return page;
}

async function newContact(queueId, caller) {
  const r = await demo.call('POST', '/api/v1/demo/contacts', { token: adminToken, body: { queueId, caller } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.contact.id;
}

test('an offer names its queue and is noticed; the agent sees customers waiting in their queues', async () => {
  agent1 = await openDesktop('agent1');
  const badge = agent1.locator('#state-text');
  await agent1.getByRole('button', { name: 'Log in to the desktop' }).click();
  await badge.filter({ hasText: 'Available' }).waitFor({ timeout: kWait });
  await agent1.getByText('Alerts').click();
  await agent1.getByRole('button', { name: 'Allow desktop notifications' }).click();
  await agent1.locator('#notify-status').filter({ hasText: 'Desktop notifications are on.' }).waitFor();
  assert.ok(await agent1.getByLabel(/Play a sound/).isChecked(), 'the sound is on by default');

  await newContact(sales, '+14255550101');
  const offer = agent1.getByRole('region', { name: 'Incoming contact' });
  await offer.waitFor({ timeout: kWait });
  assert.match(await agent1.locator('#offer-text').textContent(), /^\+14255550101 is calling \(Sales\)\.$/);
  assert.match(await agent1.title(), /^Incoming contact from \+14255550101 — Agent desktop/);
  assert.ok(await agent1.evaluate(() => window.__sounds) > 0, 'a sound played');
  const notes = await agent1.evaluate(() => window.__notes);
  assert.equal(notes.at(-1).title, 'Incoming contact from +14255550101');
  assert.match(notes.at(-1).body, /^Sales: accept within \d+ s\.$/);
  await agent1.screenshot({ path: join(kShots, 'desktop-offer-1440.png') });
  await agent1.getByRole('button', { name: 'Accept' }).click();
  const active = agent1.getByRole('region', { name: 'Active contact' });
  await active.filter({ hasText: 'Connected' }).waitFor({ timeout: kWait });
  assert.match(await agent1.title(), /^Agent desktop/, 'the title is plain again');

  // The sound can be switched off, and stays off after a reload.
  await agent1.getByLabel(/Play a sound/).uncheck();
  await agent1.reload();
  await agent1.locator('#connection[data-state="live"]').waitFor({ timeout: kWait });
  await agent1.getByText('Alerts').click();
  assert.equal(await agent1.getByLabel(/Play a sound/).isChecked(), false);

  // A second customer waits: agent1 is busy and nobody else is logged in.
  contact2 = await newContact(sales, '+14255550102');
  const waiting = agent1.locator('#my-queues-table tr[data-queue-id="' + sales + '"] [data-field="waiting"]');
  await waiting.filter({ hasText: /^1$/ }).waitFor({ timeout: kWait });
  await agent1.getByRole('region', { name: 'My queues' }).waitFor();
  await agent1.screenshot({ path: join(kShots, 'desktop-my-queues-1440.png'), fullPage: true });

  // agent1 ends the first contact; the waiting one is offered: noticed, but without a sound now.
  await agent1.getByRole('button', { name: 'End contact' }).click();
  await offer.filter({ hasText: '+14255550102' }).waitFor({ timeout: kWait });
  assert.equal(await agent1.evaluate(() => window.__sounds), 0, 'no sound once switched off');
  assert.match(await agent1.title(), /^Incoming contact from \+14255550102/);
  await agent1.getByRole('button', { name: 'Accept' }).click();
  await active.filter({ hasText: 'Connected' }).waitFor({ timeout: kWait });
  await waiting.filter({ hasText: /^0$/ }).waitFor({ timeout: kWait });
});

test('consult another agent through a picker with states; Cancel consult, then Transfer to them', async () => {
  agent2 = await openDesktop('agent2');
  await agent2.getByRole('button', { name: 'Log in to the desktop' }).click();
  await agent2.locator('#state-text').filter({ hasText: 'Available' }).waitFor({ timeout: kWait });

  const active = agent1.getByRole('region', { name: 'Active contact' });
  await agent1.getByRole('radio', { name: 'Another agent' }).check();
  const picker = agent1.getByLabel(/^Agent \(only Available/);
  await picker.locator('option', { hasText: 'Agent 2 — Available' }).waitFor({ state: 'attached', timeout: kWait });
  assert.equal(await picker.locator('option', { hasText: 'Agent 3 — Logged out' }).isDisabled(), true,
    'an agent who cannot take it is listed with their state, not selectable');
  assert.ok(await agent1.getByRole('textbox', { name: /Phone number/ }).isHidden(), 'no number field for an agent');
  await agent1.screenshot({ path: join(kShots, 'desktop-agent-picker-1440.png'), fullPage: true });
  await picker.selectOption({ label: 'Agent 2 — Available' });
  await agent1.getByRole('button', { name: 'Consult', exact: true }).click();
  await active.filter({ hasText: 'Consulting' }).waitFor({ timeout: kWait });
  assert.equal(await agent1.locator('#active-party').textContent(), 'With Agent 2 (agent)');
  // The consulted party's own buttons; no empty number field with a Transfer beside it.
  await agent1.getByRole('button', { name: 'Transfer to Agent 2' }).waitFor();
  assert.ok(await agent1.getByRole('button', { name: /^Conference/ }).isDisabled(), 'conference once they answer');
  assert.ok(await agent1.locator('#target-form').isHidden());
  await agent1.getByRole('button', { name: 'Cancel consult with Agent 2' }).click();
  await active.filter({ hasText: 'Connected' }).waitFor({ timeout: kWait });
  assert.equal(await agent1.locator('#active-feedback').textContent(), 'Consult cancelled.');
  await agent2.locator('#state-text').filter({ hasText: 'Available' }).waitFor({ timeout: kWait });

  // Again; agent2 answers, agent1 hands the customer over with one click.
  await agent1.getByRole('button', { name: 'Consult', exact: true }).click();
  await active.filter({ hasText: 'Consulting' }).waitFor({ timeout: kWait });
  await agent2.getByRole('button', { name: 'Accept' }).click();
  await agent1.getByRole('button', { name: 'Conference' }).and(agent1.locator(':enabled')).waitFor({ timeout: kWait });
  await agent1.screenshot({ path: join(kShots, 'desktop-consulting-agent-1440.png'), fullPage: true });
  await agent1.getByRole('button', { name: 'Transfer to Agent 2' }).click();
  await agent1.locator('#state-text').filter({ hasText: /Wrap-up|Available/ }).waitFor({ timeout: kWait });
  const active2 = agent2.getByRole('region', { name: 'Active contact' });
  await active2.filter({ hasText: '+14255550102: Connected' }).waitFor({ timeout: kWait });
});

test('a Do-not-disturb expert asks "call anyway?" before dialling, in the words the list uses', async () => {
  const token = await demo.token('agent2');
  const r = await demo.call('GET', '/api/v1/directory/teams-users?q=a&limit=100', { token });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const linked = new Set([...agentsByName.values()].map((a) => a.teamsUserId));
  const expert = r.body.items.find((u) => u.dialable && !linked.has(u.id));
  assert.ok(expert, 'a dialable expert');
  await setPresence(expert.id, 'DoNotDisturb', 'DoNotDisturb');
  await new Promise((r) => setTimeout(r, 5500)); // the directory caches presence for 5 s

  await agent2.getByRole('button', { name: 'Search the Teams directory…' }).click();
  const dialog = agent2.getByRole('dialog', { name: 'Teams directory' });
  await dialog.getByRole('searchbox', { name: 'Search Teams users' }).fill(expert.displayName);
  const item = dialog.locator(`li[data-teams-user="${expert.id}"]`);
  await item.filter({ hasText: 'Do not disturb' }).waitFor({ timeout: kWait });
  const listed = await item.locator('.presence').textContent();
  await item.getByRole('button', { name: `Consult ${expert.displayName}` }).click();
  const ask = agent2.getByRole('dialog', { name: `${expert.displayName} is ${listed}` });
  await ask.waitFor({ timeout: kWait });
  assert.equal((await ask.locator('p').first().textContent()).trim(),
    `Teams shows ${expert.displayName} as ${listed}. Call anyway?`);
  await agent2.screenshot({ path: join(kShots, 'desktop-call-anyway-1440.png') });
  // Not now: nothing is dialled, the directory stays open.
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await ask.waitFor({ state: 'detached', timeout: kWait });
  assert.ok(await dialog.isVisible());
  const contact = await demo.call('GET', `/api/v1/contacts/${contact2}`, { token });
  assert.equal(contact.body.contact.party, null, 'nobody was dialled');
  // Anyway: the consult goes ahead.
  await item.getByRole('button', { name: `Consult ${expert.displayName}` }).click();
  await ask.getByRole('button', { name: 'Consult anyway' }).click();
  await dialog.waitFor({ state: 'detached', timeout: kWait });
  const active = agent2.getByRole('region', { name: 'Active contact' });
  await active.filter({ hasText: 'Consulting' }).waitFor({ timeout: kWait });
  await agent2.getByRole('button', { name: `Transfer to ${expert.displayName}` }).click();
  await agent2.locator('#state-text').filter({ hasText: /Wrap-up|Available/ }).waitFor({ timeout: kWait });
  const done = await demo.call('GET', `/api/v1/contacts/${contact2}`, { token: adminToken });
  assert.equal(done.body.contact.endReason, 'transferred_out');
  assert.equal(done.body.contact.party.teamsUserId, expert.id);
});

test('the agent sees their own Teams presence, a hint when it disagrees, and a Teams-driven idle is noticed', async () => {
  const teams = agentsByName.get('agent1').teamsUserId;
  const badge = agent1.locator('#state-text');
  await badge.filter({ hasText: 'Available' }).waitFor({ timeout: kWait });
  await setPresence(teams, 'Busy', 'Busy');
  await agent1.locator('#teams-presence').filter({ hasText: 'Your Teams presence: Busy' }).waitFor({ timeout: kWait });
  await agent1.locator('#presence-hint').filter({
    hasText: 'Teams shows you as Busy, but you are Available here: contacts are still offered to you.',
  }).waitFor({ timeout: kWait });
  await agent1.screenshot({ path: join(kShots, 'desktop-presence-hint-1440.png') });

  const before = (await agent1.evaluate(() => window.__notes)).length;
  await setPresence(teams, 'DoNotDisturb', 'Presenting');
  await badge.filter({ hasText: 'Idle: Teams - Presenting' }).waitFor({ timeout: kWait });
  assert.equal(await agent1.title(), 'Idle: Teams - Presenting — Agent desktop — ccteams');
  const notes = await agent1.evaluate(() => window.__notes);
  assert.equal(notes.length, before + 1);
  assert.equal(notes.at(-1).body, 'set by Teams presence: Presenting: no contacts are offered to you.');
  assert.ok(await agent1.locator('#presence-hint').isHidden(), 'no hint: sync did it, they agree');
  await setPresence(teams, 'Available', 'Available');
  await badge.filter({ hasText: 'Available' }).waitFor({ timeout: kWait });
  assert.match(await agent1.title(), /^Agent desktop/);
});

test('RONA is explained with the queue of the missed call, and Set me Available is beside it', async () => {
  // agent1 alone in a queue of its own, with a 5 s RONA timeout.
  const profile = await demo.call('POST', '/api/v1/desktop-profiles', { token: adminToken,
    body: { name: 'Fast RONA', microsoftTeams: true, webexApp: false, ronaTimeoutSeconds: 5 } });
  assert.equal(profile.status, 201, JSON.stringify(profile.body));
  const queue = await demo.call('POST', '/api/v1/queues', { token: adminToken, body: { name: 'Renewals' } });
  assert.equal(queue.status, 201, JSON.stringify(queue.body));
  const moved = await demo.call('PATCH', `/api/v1/agents/${agentsByName.get('agent1').userId}`,
    { token: adminToken, body: { desktopProfileId: profile.body.id, queueIds: [queue.body.id] } });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  // Routing learns an agent's new queues when they log in again (an Available agent moved to a
  // queue is not offered its contacts before that: a server matter, noted in the report).
  const t1 = await demo.token('agent1');
  assert.equal((await demo.call('DELETE', '/api/v1/me/session', { token: t1 })).status, 200);
  assert.equal((await demo.call('POST', '/api/v1/me/session', { token: t1, body: {} })).status, 200);
  await agent1.reload(); // the desktop reads its profile and queues when it opens
  await agent1.locator('#connection[data-state="live"]').waitFor({ timeout: kWait });

  const id = await newContact(queue.body.id, '+14255550199');
  const badge = agent1.locator('#state-text');
  await agent1.locator('#offer-text').filter({ hasText: '(Renewals)' }).waitFor({ timeout: kWait });
  await badge.filter({ hasText: 'Idle: RONA' }).waitFor({ timeout: 30000 });
  const note = agent1.locator('#rona-text');
  assert.equal(await note.textContent(), 'You missed a call from Renewals; you are Idle: RONA. ' +
    'No contacts are offered to you until you set yourself Available.');
  assert.equal(await agent1.title(), 'Missed call — Agent desktop — ccteams');
  await agent1.screenshot({ path: join(kShots, 'desktop-rona-1440.png') });
  await agent1.setViewportSize({ width: 768, height: 1024 });
  const overflow = await agent1.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling at 768 px (${overflow} px)`);
  await agent1.screenshot({ path: join(kShots, 'desktop-rona-768.png'), fullPage: true });
  await agent1.setViewportSize({ width: 1440, height: 900 });
  const hangup = await demo.call('POST', `/api/v1/demo/contacts/${id}/hangup`, { token: adminToken });
  assert.equal(hangup.status, 200, JSON.stringify(hangup.body));
  await agent1.getByRole('button', { name: 'Set me Available' }).click();
  await badge.filter({ hasText: 'Available' }).waitFor({ timeout: kWait });
  assert.ok(await agent1.locator('#rona-note').isHidden());
});

test('the desktop passes an accessibility check: labels, focus order, contrast', async () => {
  // Every control named, no positive tabindex, text contrast (support.mjs).
  assert.deepEqual(await accessibilityProblems(agent1, { scope: 'main' }), []);
  // The state controls come in reading order: the selector, Set state, Log out, the alerts.
  await agent1.locator('#state-select').focus();
  const order = [];
  for (let i = 0; i < 3; i++) {
    await agent1.keyboard.press('Tab');
    order.push(await agent1.evaluate(() => document.activeElement.id || document.activeElement.textContent.trim()));
  }
  assert.deepEqual(order, ['Set state', 'desktop-logout', 'Alerts']);
  await agent1.screenshot({ path: join(kShots, 'desktop-1440.png'), fullPage: true });
  await agent1.setViewportSize({ width: 768, height: 1024 });
  await agent1.screenshot({ path: join(kShots, 'desktop-768.png'), fullPage: true });
});
