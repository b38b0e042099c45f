// The agent desktop and supervisor view with the Microsoft Teams connector Active, against
// their own `ccteams demo`: Teams presence from the emulator reaches the desktop as the mapped
// idle code with its origin in words, and a contact is consulted with a Teams expert found in
// the directory search. The connector is set up from Node (the admin tests cover the popup).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Demo } from './demo.mjs';
import { Browser, eventually, kBinary, kShots, kWait, signIn } from './support.mjs';

const demo = new Demo(kBinary);
const browser = new Browser();
let adminToken;
let supervisor; // the supervisor's page, open for the whole file
let agentsByName;

before(async () => {
  await browser.launch();
  await demo.start();
  adminToken = await demo.token('admin');
  assert.equal(await demo.setUpConnector(adminToken), 200, 'the consent callback succeeded');
  const c = await demo.call('PATCH', '/api/v1/connectors/msteams',
    { token: adminToken, body: { presenceSync: true, showUserDetails: true } });
  assert.equal(c.status, 200, JSON.stringify(c.body));
  assert.equal(c.body.status, 'Active');
  const agents = await demo.call('GET', '/api/v1/agents', { token: adminToken });
  agentsByName = new Map(agents.body.items.map((a) => [a.username, a]));
  supervisor = await browser.newPage();
  await signIn(supervisor, demo.base, 'supervisor');
  await supervisor.waitForURL(/\/supervisor\.html$/, { timeout: kWait });
  await supervisor.locator('#connection[data-state="live"]').waitFor({ timeout: kWait });
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
  const page = await browser.newPage();
  await signIn(page, demo.base, username);
  await page.waitForURL(/\/desktop\.html$/, { timeout: kWait });
  await page.locator('#connection[data-state="live"]').waitFor({ timeout: kWait });
  return page;
}

test('Teams presence Presenting idles an Available agent, shown with its origin on the desktop and to the supervisor', async () => {
  const agent1 = agentsByName.get('agent1');
  assert.ok(agent1.teamsUserId, 'the demo links agent1 to a Teams user');
  await setPresence(agent1.teamsUserId, 'Available', 'Available');
  const page = await openDesktop('agent1');
  const badge = page.locator('#state-text');
  await page.getByRole('button', { name: 'Log in to the desktop' }).click();
  await badge.filter({ hasText: 'Available' }).waitFor({ timeout: kWait });

  // The agent's own Teams client starts presenting.
  const changedAt = Date.now();
  await setPresence(agent1.teamsUserId, 'DoNotDisturb', 'Presenting');
  await badge.filter({ hasText: 'Idle: Teams - Presenting' }).waitFor({ timeout: kWait });
  const delay = Date.now() - changedAt;
  assert.equal(await page.locator('#state-origin').textContent(), 'set by Teams presence: Presenting');
  assert.match(await page.locator('#state-announce').textContent(), /Idle: Teams - Presenting, set by Teams presence: Presenting/);
  // The selector shows the code presence sync chose even though the agent cannot pick it.
  assert.equal(await page.locator('#state-select option:checked').textContent(), 'Idle: Teams - Presenting');

  const row = supervisor.locator('#agents tr[data-agent="agent1"]');
  await row.locator('td').nth(0).filter({ hasText: 'Idle: Teams - Presenting' }).waitFor({ timeout: kWait });
  assert.equal(await row.locator('td').nth(1).textContent(), 'set by Teams presence: Presenting');
  assert.equal(await row.locator('td').nth(4).textContent(), 'Do not disturb / Presenting');

  // Presenting ends: sync undoes what sync did.
  await setPresence(agent1.teamsUserId, 'Available', 'Available');
  await badge.filter({ hasText: 'Available' }).waitFor({ timeout: kWait });
  await row.locator('td').nth(4).filter({ hasText: /^Available$/ }).waitFor({ timeout: kWait });
  console.log(`# Teams change to desktop: ${delay} ms`);
  // Out of the way of the next tests' contacts.
  await page.getByRole('button', { name: 'Log out of the desktop' }).click();
  await badge.filter({ hasText: 'Logged out' }).waitFor({ timeout: kWait });
  await page.context().close();
});

// A dialable and a non-dialable Teams user, found through the API as an agent would see them.
async function experts(token) {
  let cursor = null;
  let dialable;
  let blocked;
  do {
    const q = new URLSearchParams({ q: 'a', limit: '100' });
    if (cursor) q.set('cursor', cursor);
    const r = await demo.call('GET', `/api/v1/directory/teams-users?${q}`, { token });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const linked = new Set([...agentsByName.values()].map((a) => a.teamsUserId));
    dialable ||= r.body.items.find((u) => u.dialable && u.department && !linked.has(u.id));
    blocked ||= r.body.items.find((u) => !u.dialable);
    cursor = r.body.nextCursor;
  } while (cursor && !(dialable && blocked));
  assert.ok(dialable && blocked, 'the emulated tenant has both kinds of users');
  return { dialable, blocked };
}

test('a contact is accepted and consulted with a Teams expert found in the directory search', async () => {
  const token = await demo.token('agent2');
  // The first directory sync runs when the connector becomes Active; wait for it (503 until then).
  await eventually(async () => (await demo.call('GET', '/api/v1/directory/teams-users?q=a&limit=1', { token })).status === 200,
    { timeout: 15000, what: 'the first directory sync' });
  const { dialable, blocked } = await experts(token);
  // A free expert is dialled at once (a busy one asks first: desktop_test.mjs).
  await setPresence(dialable.id, 'Available', 'Available');

  const page = await openDesktop('agent2');
  const badge = page.locator('#state-text');
  await page.getByRole('button', { name: 'Log in to the desktop' }).click();
  await badge.filter({ hasText: 'Available' }).waitFor({ timeout: kWait });
  const queues = await demo.call('GET', '/api/v1/queues', { token: adminToken });
  const sales = queues.body.items.find((q) => q.name === 'Sales').id;
  const created = await demo.call('POST', '/api/v1/demo/contacts',
    { token: adminToken, body: { queueId: sales, caller: '+14255550142' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const offer = page.getByRole('region', { name: 'Incoming contact' });
  await offer.waitFor({ timeout: kWait });
  assert.match(await page.locator('#offer-countdown').textContent(), /^\d+ s/);
  await page.getByRole('button', { name: 'Accept' }).click();
  const active = page.getByRole('region', { name: 'Active contact' });
  await active.filter({ hasText: 'Connected' }).waitFor({ timeout: kWait });

  await page.getByRole('button', { name: 'Search the Teams directory…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Teams directory' });
  const search = dialog.getByRole('searchbox', { name: 'Search Teams users' });
  assert.ok(await search.evaluate((n) => n === document.activeElement), 'the search field has focus');

  // Someone who cannot be dialed: the reason in words, the buttons disabled.
  await search.fill(blocked.displayName);
  const no = dialog.locator(`li[data-teams-user="${blocked.id}"]`);
  await no.waitFor({ timeout: kWait });
  assert.ok((await no.textContent()).includes(blocked.notDialableReason), await no.textContent());
  assert.ok(await no.getByRole('button', { name: `Consult ${blocked.displayName}` }).isDisabled());

  // The expert: presence dot and words, job title, department, phone.
  await search.fill(dialable.displayName);
  const yes = dialog.locator(`li[data-teams-user="${dialable.id}"]`);
  await yes.waitFor({ timeout: kWait });
  const text = await yes.textContent();
  for (const part of [dialable.jobTitle, dialable.department, dialable.phone]) {
    assert.ok(text.includes(part), `${part} in ${text}`);
  }
  assert.equal(await yes.locator('.dot').count(), 1, 'a presence dot');
  assert.match(await dialog.getByRole('status').textContent(), /\d+ of \d+ Teams users/);
  await page.screenshot({ path: join(kShots, 'agent-desktop-directory.png') });

  await yes.getByRole('button', { name: `Consult ${dialable.displayName}` }).click();
  await dialog.waitFor({ state: 'detached', timeout: kWait });
  await active.filter({ hasText: 'Consulting' }).waitFor({ timeout: kWait });
  assert.equal(await page.locator('#active-party').textContent(),
    `With ${dialable.displayName} (Teams, ${dialable.phone})`);
  const contact = await demo.call('GET', `/api/v1/contacts/${created.body.contact.id}`, { token });
  assert.equal(contact.body.contact.party.teamsUserId, dialable.id);
  assert.equal(contact.body.contact.party.number, dialable.phone);

  // The supervisor sees the consult beside the agent's Teams presence.
  const row = supervisor.locator('#agents tr[data-agent="agent2"]');
  await row.locator('td').nth(0).filter({ hasText: 'On a contact' }).waitFor({ timeout: kWait });
  await row.locator('td').nth(3).filter({ hasText: 'Consulting' }).waitFor({ timeout: kWait });
  await supervisor.screenshot({ path: join(kShots, 'supervisor-teams.png') });
  await page.screenshot({ path: join(kShots, 'agent-desktop-consulting.png') });

  await page.getByRole('button', { name: 'Conference' }).click();
  await active.filter({ hasText: 'In conference' }).waitFor({ timeout: kWait });
  await page.getByRole('button', { name: 'End contact' }).click();
  await badge.filter({ hasText: /Wrap-up|Available/ }).waitFor({ timeout: kWait });
  await page.context().close();
});

test('consulting a Teams user is refused in words once the connector is not Active', async () => {
  const page = await openDesktop('agent3');
  const token = await demo.token('agent3');
  const { dialable } = await experts(token);
  await page.getByRole('button', { name: 'Log in to the desktop' }).click();
  await page.locator('#state-text').filter({ hasText: 'Available' }).waitFor({ timeout: kWait });
  // agent3 alone is Available: agent1 logged out in the first test, agent2 logs out now.
  const agent2 = await demo.token('agent2');
  await eventually(async () => (await demo.call('DELETE', '/api/v1/me/session', { token: agent2 })).status === 200,
    { what: 'agent2 logged out' });
  const queues = await demo.call('GET', '/api/v1/queues', { token: adminToken });
  const created = await demo.call('POST', '/api/v1/demo/contacts', { token: adminToken,
    body: { queueId: queues.body.items[0].id, caller: '+14255550177' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await page.getByRole('button', { name: 'Accept' }).click();
  const active = page.getByRole('region', { name: 'Active contact' });
  await active.filter({ hasText: 'Connected' }).waitFor({ timeout: kWait });
  await page.getByRole('button', { name: 'Search the Teams directory…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Teams directory' });
  await dialog.getByRole('searchbox', { name: 'Search Teams users' }).fill(dialable.displayName);
  const yes = dialog.locator(`li[data-teams-user="${dialable.id}"]`);
  await yes.waitFor({ timeout: kWait });
  // The admin deactivates the connector meanwhile: the consult is refused with the API's words.
  const off = await demo.call('POST', '/api/v1/connectors/msteams/deactivate', { token: adminToken });
  assert.equal(off.status, 200, JSON.stringify(off.body));
  await yes.getByRole('button', { name: `Consult ${dialable.displayName}` }).click();
  const alert = dialog.getByRole('alert');
  await alert.filter({ hasText: /connector|Active/i }).waitFor({ timeout: kWait });
  assert.ok(await dialog.isVisible(), 'the dialog stays open');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached', timeout: kWait });
  assert.equal(await page.locator('#active-party').textContent(), '');
  await active.filter({ hasText: 'Connected' }).waitFor({ timeout: kWait });
  await page.context().close();
});
