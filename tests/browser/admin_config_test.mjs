// The administration console's configuration (issue 19): an agent linked to a Teams user by
// searching the directory, desktop profiles edited, unsaved mapping changes guarded, idle code
// holders named, in Chromium against its own `ccteams demo` (the connector set up through the
// API, as admin_test.mjs does through the popup).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Demo } from './demo.mjs';
import { Browser, eventually, kBinary, kShots, kWait, signIn } from './support.mjs';

const demo = new Demo(kBinary);
const browser = new Browser();
let adminToken;
let admin;

const connector = async () => (await demo.call('GET', '/api/v1/connectors/msteams', { token: adminToken })).body;

before(async () => {
  await browser.launch();
  await demo.start();
  adminToken = await demo.token('admin');
  assert.equal(await demo.setUpConnector(adminToken), 200);
  // The directory's first sync, so that it can be searched.
  await eventually(async () => (await demo.call('GET', '/api/v1/directory/teams-users?q=a',
    { token: adminToken })).status === 200, { what: 'the directory is searchable' });
  admin = await browser.newPage();
  await signIn(admin, demo.base, 'admin');
  await admin.waitForURL(/\/admin\.html/, { timeout: kWait });
});

after(async () => {
  await browser.close();
  await demo.stop();
  browser.assertClean();
});

test('unsaved mapping changes: moving to another section asks first', async () => {
  await admin.goto(demo.base + '/admin.html#connectors/msteams');
  const select = admin.getByRole('combobox', { name: 'Idle code for Busy / In a conference call' });
  await select.waitFor({ timeout: kWait });
  const before = await select.inputValue();
  const other = await select.locator('option').evaluateAll((o, v) => o.map((x) => x.value).find((x) => x !== v), before);
  await select.selectOption(other);
  await admin.getByText('Unsaved changes.').waitFor({ timeout: kWait });
  // Stay: the page and the change are still there.
  await admin.locator('#admin-nav').getByRole('link', { name: 'Idle codes' }).click();
  const ask = admin.getByRole('dialog', { name: 'Leave without saving?' });
  await ask.waitFor({ timeout: kWait });
  await ask.getByRole('button', { name: 'Cancel' }).click();
  assert.match(admin.url(), /#connectors\/msteams$/);
  assert.equal(await select.inputValue(), other);
  // Leave: the next section shows, nothing was saved.
  await admin.locator('#admin-nav').getByRole('link', { name: 'Idle codes' }).click();
  await ask.getByRole('button', { name: 'Leave without saving' }).click();
  await admin.getByRole('region', { name: 'Idle codes' }).waitFor({ timeout: kWait });
  const rule = (await connector()).presenceMapping.find((r) => r.availability === 'Busy' && r.activity === 'InAConferenceCall');
  assert.equal(String(rule.idleCodeId), before);
});

// The browser's own "Leave page?" (beforeunload): asked on a reload with unsaved mapping changes,
// not once they are saved. Chromium asks only of a page the user has interacted with: a click
// first, as a person would have.
test('unsaved mapping changes: reloading the page asks first (beforeunload); after saving it does not', async () => {
  const asked = [];
  const onDialog = (d) => {
    asked.push(d.type());
    d.accept().catch(() => {});
  };
  admin.on('dialog', onDialog);
  try {
    await admin.goto(demo.base + '/admin.html#connectors/msteams');
    const select = admin.getByRole('combobox', { name: 'Idle code for Busy / In a conference call' });
    await select.waitFor({ timeout: kWait });
    const other = async () => select.locator('option').evaluateAll((o, v) => o.map((x) => x.value).find((x) => x !== v),
      await select.inputValue());
    await admin.locator('#page-title').click();
    await select.selectOption(await other());
    await admin.getByText('Unsaved changes.').waitFor({ timeout: kWait });
    await admin.reload();
    assert.deepEqual(asked, ['beforeunload'], 'the browser asked before reloading');
    await select.waitFor({ timeout: kWait });

    // Changed and saved: nothing to lose, nothing asked.
    await admin.locator('#page-title').click();
    const chosen = await other();
    await select.selectOption(chosen);
    await admin.getByText('Unsaved changes.').waitFor({ timeout: kWait });
    await admin.getByRole('button', { name: 'Save mapping' }).click();
    await admin.getByText('Unsaved changes.').waitFor({ state: 'detached', timeout: kWait }).catch(() => {});
    await eventually(async () => String((await connector()).presenceMapping
      .find((r) => r.availability === 'Busy' && r.activity === 'InAConferenceCall').idleCodeId) === chosen,
    { what: 'the mapping saved' });
    await eventually(async () => (await admin.getByText('Unsaved changes.').count()) === 0, { what: 'no unsaved note' });
    await admin.reload();
    await select.waitFor({ timeout: kWait });
    assert.deepEqual(asked, ['beforeunload'], 'nothing asked after saving');
  } finally {
    admin.off('dialog', onDialog);
  }
});

test('an agent is linked to a Teams user by searching the directory, and unlinked', async () => {
  await admin.locator('#admin-nav').getByRole('link', { name: 'Agents' }).click();
  const row = admin.locator('tr[data-agent="agent3"]');
  await row.waitFor({ timeout: kWait });
  // Unlink first, so that the link below is a real change.
  if (await row.getByRole('button', { name: /^Unlink/ }).count()) {
    await row.getByRole('button', { name: /^Unlink/ }).click();
    await eventually(async () => (await demo.call('GET', '/api/v1/agents', { token: adminToken })).body.items
      .find((a) => a.username === 'agent3').teamsUserId === null, { what: 'agent3 unlinked' });
  }
  const users = (await demo.call('GET', '/api/v1/directory/teams-users?q=a&limit=50', { token: adminToken })).body.items;
  const pick = users.find((u) => !u.dialable) || users[0]; // a user without a phone can be linked too
  await admin.locator('tr[data-agent="agent3"]').getByRole('button', { name: 'Link agent3 to a Teams user' }).click();
  const dialog = admin.getByRole('dialog', { name: 'Link agent3 to a Teams user' });
  await dialog.getByRole('searchbox', { name: 'Search Teams users' }).fill(pick.displayName);
  const item = dialog.locator(`li[data-teams-user="${pick.id}"]`);
  await item.getByRole('button', { name: `Link ${pick.displayName}` }).click();
  await dialog.waitFor({ state: 'detached', timeout: kWait });
  await admin.getByRole('status').filter({ hasText: `agent3 is linked to ${pick.displayName}.` }).waitFor({ timeout: kWait });
  const agent3 = (await demo.call('GET', '/api/v1/agents', { token: adminToken })).body.items.find((a) => a.username === 'agent3');
  assert.equal(agent3.teamsUserId, pick.id);
  await admin.locator('tr[data-agent="agent3"]').getByText(pick.displayName, { exact: false }).waitFor({ timeout: kWait });
});

test('a desktop profile is edited: RONA timeout, wrap-up, allowed idle codes', async () => {
  await admin.locator('#admin-nav').getByRole('link', { name: 'Desktop profiles' }).click();
  await admin.getByRole('button', { name: 'Edit Demo agents' }).click();
  const dialog = admin.getByRole('dialog', { name: 'Edit the desktop profile Demo agents' });
  // Out of range (5–300 s): the field says so and the dialog stays open.
  await dialog.getByLabel('RONA timeout (s)').fill('4');
  await dialog.getByRole('button', { name: 'Save' }).click();
  assert.ok(await dialog.getByLabel('RONA timeout (s)').evaluate((n) => n.validity.rangeUnderflow));
  assert.ok(await dialog.isVisible());
  await dialog.getByLabel('RONA timeout (s)').fill('20');
  await dialog.getByLabel('Wrap-up (s)').fill('5');
  // The codes the profile allows already are ticked; these are added.
  await dialog.getByRole('checkbox', { name: 'Meeting' }).check();
  await dialog.getByRole('checkbox', { name: 'Lunch' }).check();
  await dialog.getByRole('checkbox', { name: 'Teams - Presenting' }).check();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached', timeout: kWait });
  const row = admin.locator('tr[data-profile="Demo agents"]');
  await row.filter({ hasText: '20 s' }).waitFor({ timeout: kWait });
  const codes = (await demo.call('GET', '/api/v1/idle-codes', { token: adminToken })).body.items;
  const id = (n) => codes.find((c) => c.name === n).id;
  const p = (await demo.call('GET', '/api/v1/desktop-profiles', { token: adminToken })).body.items
    .find((x) => x.name === 'Demo agents');
  assert.equal(p.ronaTimeoutSeconds, 20);
  assert.equal(p.wrapUpSeconds, 5);
  for (const n of ['Lunch', 'Meeting', 'Teams - Presenting']) assert.ok(p.allowedIdleCodeIds.includes(id(n)), n);
  assert.match(await row.textContent(), /Meeting/);
});

test('deleting an idle code names every holder: desktop profiles and the presence mapping', async () => {
  await admin.locator('#admin-nav').getByRole('link', { name: 'Idle codes' }).click();
  const region = admin.getByRole('region', { name: 'Idle codes' });
  // Teams - Presenting: allowed by Demo agents (edited above) and in the default presence mapping.
  await region.getByRole('button', { name: 'Delete the idle code Teams - Presenting' }).click();
  const dialog = admin.getByRole('dialog', { name: 'Delete the idle code Teams - Presenting?' });
  await dialog.locator('ul.holders li').first().waitFor({ timeout: kWait });
  const holders = await dialog.locator('ul.holders li').allTextContents();
  assert.ok(holders.includes('the desktop profile Demo agents'), holders.join('; '));
  assert.ok(holders.some((h) => /^the Microsoft Teams presence mapping: .*Presenting/.test(h)), holders.join('; '));
  await dialog.getByRole('button', { name: 'Delete' }).click();
  // The server refuses, naming the same holders.
  const refusal = dialog.getByRole('alert');
  await refusal.filter({ hasText: /desktop profile Demo agents/ }).waitFor({ timeout: kWait });
  assert.match(await refusal.textContent(), /presence mapping/);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
});

