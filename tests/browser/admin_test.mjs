// The administration console in Chromium against its own `ccteams demo` (the connector's
// whole life happens here: set up through the consent popup, presence sync, deactivate,
// delete), with the configuration sections beside it. The other files use their own demo.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Demo } from './demo.mjs';
import { answerEntra, Browser, eventually, kBinary, kShots, kWait, signIn } from './support.mjs';

const demo = new Demo(kBinary);
const browser = new Browser();
let adminToken;
let admin; // the admin's page, open for the whole file

const connector = async () => (await demo.call('GET', '/api/v1/connectors/msteams', { token: adminToken })).body;

before(async () => {
  await browser.launch();
  await demo.start();
  adminToken = await demo.token('admin');
});

after(async () => {
  await browser.close();
  await demo.stop();
  browser.assertClean();
});

test('a blocked popup tells the admin to allow popups, with a retry', async () => {
  // As a popup blocker does: window.open gives null.
  const page = await browser.newPage({ initScript: () => { window.open = () => null; } });
  await signIn(page, demo.base, 'admin');
  await page.waitForURL(/\/admin\.html/, { timeout: kWait });
  const card = page.getByRole('region', { name: 'Microsoft Teams' });
  await card.getByText('Not set up').waitFor({ timeout: kWait });
  await card.getByRole('button', { name: 'Set up' }).click();
  const dialog = page.getByRole('dialog', { name: 'Set up Microsoft Teams' });
  await dialog.getByRole('button', { name: 'Authorize' }).click();
  const alert = dialog.getByRole('alert');
  await alert.waitFor({ timeout: kWait });
  assert.match(await alert.textContent(), /blocked the sign-in window\. Allow pop-ups for this site/);
  // The retry runs the same flow again (still blocked here) and says so again.
  await alert.getByRole('button', { name: 'Try again' }).click();
  await dialog.getByRole('alert').filter({ hasText: 'Allow pop-ups' }).waitFor({ timeout: kWait });
  assert.equal((await connector()).status, 'NotConfigured', 'nothing was started');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached', timeout: kWait });
  await page.context().close();
});

test('the admin sets up the connector through the consent popup; a non-admin account is refused in words', async () => {
  admin = await browser.newPage();
  await signIn(admin, demo.base, 'admin');
  await admin.waitForURL(/\/admin\.html/, { timeout: kWait });
  const crumbs = admin.getByRole('navigation', { name: 'Breadcrumb' });
  await crumbs.getByText('Connectors').waitFor({ timeout: kWait });
  assert.match((await crumbs.innerText()).replace(/\s+/g, ' '),
    /Services.*Contact Center.*Tenant settings.*Integrations.*Connectors/);

  const card = admin.getByRole('region', { name: 'Microsoft Teams' });
  // Never set up: nothing is on, neither in the API nor on the page (issue 19's production
  // defaults; the demo turns the optional features on only when Set up succeeds).
  const fresh = await connector();
  assert.equal(fresh.status, 'NotConfigured');
  assert.equal(fresh.showUserDetails, false);
  assert.equal(fresh.presenceSync, false);
  await admin.goto(demo.base + '/admin.html#connectors/msteams');
  await admin.getByRole('link', { name: 'Back to Connectors to set it up' }).waitFor({ timeout: kWait });
  assert.equal(await admin.getByRole('checkbox', { checked: true }).count(), 0, 'no feature shown on');
  await admin.goto(demo.base + '/admin.html#connectors');
  await card.getByRole('button', { name: 'Set up' }).click();
  const dialog = admin.getByRole('dialog', { name: 'Set up Microsoft Teams' });
  await dialog.waitFor({ timeout: kWait });

  // An ordinary member cannot consent: Entra refuses, the callback says why, the dialog too.
  let popupOpened = admin.waitForEvent('popup');
  await dialog.getByRole('button', { name: 'Authorize' }).click();
  let popup = await popupOpened;
  // Refused at our callback right after the sign-in (the ID token's roles).
  await answerEntra(popup, `member@${demo.tenantDomain}`);
  await dialog.locator('.error').filter({ hasText: /Global Administrator|Privileged Role Administrator/ })
    .waitFor({ timeout: kWait });
  await popup.close();
  assert.notEqual((await connector()).status, 'Active');

  // The Global Administrator consents: the popup closes itself and the dialog says Active.
  popupOpened = admin.waitForEvent('popup');
  await dialog.getByRole('button', { name: 'Authorize' }).click();
  popup = await popupOpened;
  const closed = popup.waitForEvent('close', { timeout: 15000 });
  await answerEntra(popup, demo.globalAdmin);
  await closed;
  await dialog.getByText(/Microsoft Teams is connected/).waitFor({ timeout: kWait });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'detached', timeout: kWait });
  await card.locator('[data-status="Active"]').filter({ hasText: 'Active' }).waitFor({ timeout: kWait });
  // The card names the Microsoft Entra account that consented.
  await card.getByText(`Consented in Microsoft Entra by ${demo.globalAdmin}`).waitFor({ timeout: kWait });
  const c = await connector();
  assert.equal(c.status, 'Active');
  assert.equal(c.authorizedBy.username, 'admin');
  assert.equal(c.authorizedByEntra.userPrincipalName, demo.globalAdmin);
  assert.ok(c.grantedPermissions.length > 0);
});

test('details: presence sync switched off and on, its status and health, the mapping edited', async () => {
  assert.ok(admin, 'the set-up test ran first');
  // agent1 logged in, so that presence sync watches a Teams user.
  const agentToken = await demo.token('agent1');
  assert.equal((await demo.call('POST', '/api/v1/me/session', { token: agentToken })).status, 200);

  await admin.getByRole('link', { name: 'View/Edit details' }).click();
  await admin.waitForURL(/#connectors\/msteams$/, { timeout: kWait });
  const status = admin.getByRole('region', { name: 'Connector', exact: true });
  await status.locator('[data-status="Active"]').waitFor({ timeout: kWait });
  assert.match(await status.textContent(), new RegExp((await connector()).tenantId));
  const remove = status.getByRole('button', { name: 'Delete' });
  assert.ok(await remove.isDisabled(), 'Delete is disabled while Active');

  const sync = admin.getByRole('checkbox', { name: 'Presence sync' });
  const health = admin.locator('#sync-health');
  if (!(await sync.isChecked())) await sync.check();
  // The status line says each change (and then the health that follows from it).
  await sync.uncheck();
  await admin.getByRole('status').filter({ hasText: /Presence sync is off\.|Not running/ }).waitFor({ timeout: kWait });
  assert.equal((await connector()).presenceSync, false);
  await health.filter({ hasText: 'Not running' }).waitFor({ timeout: kWait }); // the 2 s poll
  // Graph answers slowly (the emulator's injected latency), so the first sync takes seconds:
  // the page shows its progress, then its completion once Graph is quick again.
  const slow = await demo.emulator('POST', '/_emulator/faults', { latencyMs: 3000 });
  assert.equal(slow.status, 200, slow.text);
  await sync.check();
  await admin.getByRole('status').filter({ hasText: /Presence sync is on\.|First sync running/ }).waitFor({ timeout: kWait });
  assert.equal((await connector()).presenceSync, true);
  const progress = admin.getByRole('progressbar', { name: 'First sync:' });
  await progress.waitFor({ timeout: kWait });
  // Right after switching on, the watch set may still be worked out ("finding the Teams users").
  await admin.locator('#presence-sync-status').filter({ hasText: /0 of 1 Teams users read/ }).waitFor({ timeout: kWait });
  assert.equal(await progress.getAttribute('max'), '1');
  await health.filter({ hasText: 'First sync running.' }).waitFor({ timeout: kWait });
  assert.ok([200, 204].includes((await demo.emulator('DELETE', '/_emulator/faults')).status));
  const done = admin.locator('#first-sync-done');
  await done.filter({ hasText: /First sync completed .* \(1 Teams users\)/ }).waitFor({ timeout: 30000 });
  await health.filter({ hasText: /Healthy|Working/ }).waitFor({ timeout: kWait });
  const figures = await admin.locator('#presence-sync-status').textContent();
  assert.match(figures, /Watched Teams users \(logged-in agents\)1/);

  const details = admin.getByRole('checkbox', { name: 'Show user details' });
  assert.ok(await details.isChecked());

  // The mapping: In a conference call now sets Meeting; saved with one PATCH.
  const codes = (await demo.call('GET', '/api/v1/idle-codes', { token: adminToken })).body.items;
  const meeting = codes.find((x) => x.name === 'Meeting');
  const select = admin.getByRole('combobox', { name: 'Idle code for Busy / In a conference call' });
  await select.selectOption({ label: 'Meeting' });
  await admin.getByText('Unsaved changes.').waitFor({ timeout: kWait });
  await admin.getByRole('button', { name: 'Save mapping' }).click();
  await admin.getByRole('status').filter({ hasText: 'Presence mapping saved.' }).waitFor({ timeout: kWait });
  const rule = (await connector()).presenceMapping
    .find((r) => r.availability === 'Busy' && r.activity === 'InAConferenceCall');
  assert.equal(rule.idleCodeId, meeting.id);

  // A rule removed and saved is gone, on the server and on the page.
  await admin.getByRole('button', { name: 'Remove the rule for Do not disturb (any activity)' }).click();
  await admin.getByRole('button', { name: 'Save mapping' }).click();
  await admin.getByRole('status').filter({ hasText: 'Presence mapping saved.' }).waitFor({ timeout: kWait });
  assert.equal((await connector()).presenceMapping.length, 3);
  assert.equal(await admin.locator('#presence-mapping tbody tr').count(), 3);

  // A sync account signed in through its popup (Entra's sign-in: Email, Next), listed healthy.
  const accounts = admin.getByRole('region', { name: 'Sync accounts' });
  const upn = `member@${demo.tenantDomain}`;
  const popupOpened = admin.waitForEvent('popup');
  await accounts.getByRole('button', { name: 'Sign in a sync account' }).click();
  const popup = await popupOpened;
  const closed = popup.waitForEvent('close', { timeout: 15000 });
  await popup.getByLabel('Email').fill(upn);
  await popup.getByRole('button', { name: 'Next' }).click();
  await closed;
  await accounts.getByText(`${upn} is added as a sync account.`).waitFor({ timeout: kWait });
  const account = accounts.getByRole('row', { name: new RegExp(upn) });
  await account.waitFor({ timeout: kWait });
  assert.match(await account.textContent(), /Healthy/);
  const listed = await demo.call('GET', '/api/v1/connectors/msteams/sync-accounts', { token: adminToken });
  assert.deepEqual(listed.body.items.map((a) => a.upn), [upn]);
  await admin.screenshot({ path: join(kShots, 'admin-connector-details.png'), fullPage: true });

  await accounts.getByRole('button', { name: `Remove ${upn}` }).click();
  await admin.getByRole('dialog', { name: `Remove the sync account ${upn}?` })
    .getByRole('button', { name: 'Remove account' }).click();
  await accounts.getByText('No sync accounts yet.').waitFor({ timeout: kWait });
  assert.equal((await demo.call('GET', '/api/v1/connectors/msteams/sync-accounts', { token: adminToken })).body.items.length, 0);
});

test('idle codes: create, rename, delete, and the API refusals shown in words', async () => {
  await admin.getByRole('link', { name: 'Idle codes' }).click();
  const region = admin.getByRole('region', { name: 'Idle codes' });
  await region.waitFor({ timeout: kWait });
  // A code in use (the Teams presence mapping's) cannot be deleted: the 409 says what uses it,
  // inside the dialog, which stays open.
  const inUse = region.locator('tr[data-code="Teams - Presenting"]');
  await inUse.getByRole('button', { name: 'Delete the idle code Teams - Presenting' }).click();
  let dialog = admin.getByRole('dialog', { name: 'Delete the idle code Teams - Presenting?' });
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await dialog.getByRole('alert').filter({ hasText: /used by/i }).waitFor({ timeout: kWait });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.ok(await region.locator('tr[data-code="Teams - Presenting"]').count() === 1);
  // RONA is the system code: no buttons.
  assert.equal(await region.locator('tr[data-code="RONA"] button').count(), 0);

  await region.getByRole('textbox', { name: 'Name', exact: true }).fill('Coaching');
  await region.getByRole('button', { name: 'Create idle code' }).click();
  await region.locator('tr[data-code="Coaching"]').waitFor({ timeout: kWait });
  // A second code named RONA is refused (409), shown beside the button that caused it (the
  // page does not jump to a banner at the top).
  await admin.getByRole('region', { name: 'Idle codes' }).getByRole('textbox', { name: 'Name', exact: true }).fill('RONA');
  const create = admin.getByRole('button', { name: 'Create idle code' });
  await create.scrollIntoViewIfNeeded();
  const scrolled = await admin.evaluate(() => window.scrollY);
  await create.click();
  await admin.locator('form.create .feedback.error').filter({ hasText: /RONA/ }).waitFor({ timeout: kWait });
  assert.ok(await admin.locator('#error').isHidden(), 'no banner at the top');
  assert.equal(await admin.evaluate(() => window.scrollY), scrolled, 'the page did not jump');

  await admin.getByRole('button', { name: 'Rename Coaching' }).click();
  dialog = admin.getByRole('dialog', { name: 'Rename the idle code Coaching' });
  await dialog.getByLabel('New name').fill('Coaching session');
  await dialog.getByRole('button', { name: 'Rename' }).click();
  await admin.locator('tr[data-code="Coaching session"]').waitFor({ timeout: kWait });
  await admin.getByRole('button', { name: 'Delete the idle code Coaching session' }).click();
  await admin.getByRole('dialog', { name: 'Delete the idle code Coaching session?' })
    .getByRole('button', { name: 'Delete' }).click();
  await admin.locator('tr[data-code="Coaching session"]').waitFor({ state: 'detached', timeout: kWait });
  const names = (await demo.call('GET', '/api/v1/idle-codes', { token: adminToken })).body.items.map((x) => x.name);
  assert.ok(!names.includes('Coaching') && !names.includes('Coaching session'));
});

test('desktop profiles choose Microsoft Teams or Webex App; agents show their Teams user and sync state; queues; audit log', async () => {
  await admin.getByRole('link', { name: 'Desktop profiles' }).click();
  // One app per profile, as the vendor allows: choosing Webex App turns Microsoft Teams off.
  const webex = admin.getByRole('radio', { name: 'Webex App for Demo agents' });
  const teams = admin.getByRole('radio', { name: 'Microsoft Teams for Demo agents' });
  await webex.waitFor({ timeout: kWait });
  assert.equal(await webex.isChecked(), false);
  assert.equal(await teams.isChecked(), true);
  await webex.check();
  await admin.getByRole('status').filter({ hasText: 'Webex App is now the app of Demo agents.' }).waitFor({ timeout: kWait });
  let profile = (await demo.call('GET', '/api/v1/desktop-profiles', { token: adminToken })).body.items
    .find((p) => p.name === 'Demo agents');
  assert.deepEqual([profile.webexApp, profile.microsoftTeams], [true, false]);
  assert.equal(await teams.isChecked(), false);
  await teams.check();
  await admin.getByRole('status').filter({ hasText: 'Microsoft Teams is now the app of Demo agents.' }).waitFor({ timeout: kWait });
  profile = (await demo.call('GET', '/api/v1/desktop-profiles', { token: adminToken })).body.items
    .find((p) => p.name === 'Demo agents');
  assert.deepEqual([profile.webexApp, profile.microsoftTeams], [false, true]);

  await admin.getByRole('link', { name: 'Agents' }).click();
  const agents = (await demo.call('GET', '/api/v1/agents', { token: adminToken })).body.items;
  const agent1 = agents.find((a) => a.username === 'agent1');
  const row = admin.locator('tr[data-agent="agent1"]');
  await row.waitFor({ timeout: kWait });
  const text = await row.textContent();
  assert.ok(text.includes(agent1.teamsUserId), text);
  assert.match(text, /Available/);
  // agent1 is logged in with presence sync on: its Teams presence has been read.
  assert.match(text, /Seen .* \((bulk read|change notification)\)/);

  await admin.getByRole('link', { name: 'Queues' }).click();
  await admin.getByRole('region', { name: 'Queues' }).getByRole('rowheader', { name: 'Sales' }).waitFor({ timeout: kWait });

  await admin.getByRole('link', { name: 'Audit log' }).click();
  const audit = admin.locator('#audit tbody tr');
  await audit.first().waitFor({ timeout: kWait });
  const actions = await admin.locator('#audit tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.action));
  for (const a of ['authorize', 'callback', 'update']) assert.ok(actions.includes(a), `${a} in ${actions}`);
  assert.ok(await admin.locator('#audit tr[data-result="error"]').count() >= 1, 'the refused consent is logged');
  // In plain words, not internal names.
  const said = await admin.locator('#audit tbody td:nth-child(3)').allTextContents();
  assert.ok(said.includes('admin started setting up Microsoft Teams.'), said.join('\n'));
  assert.ok(said.includes(`${demo.globalAdmin} consented in Microsoft for admin: the connector is Active.`), said.join('\n'));
  assert.ok(said.includes("admin changed the connector's settings."), said.join('\n'));
  assert.ok(!said.some((x) => /^(authorize|callback|update)$/.test(x)), said.join('\n'));
});

test('the admin deactivates, then deletes with the confirmation about Entra', async () => {
  await admin.goto(demo.base + '/admin.html#connectors/msteams');
  const status = admin.getByRole('region', { name: 'Connector', exact: true });
  // Deactivate asks first, saying what stops; Cancel changes nothing.
  await status.getByRole('button', { name: 'Deactivate' }).click();
  const ask = admin.getByRole('dialog', { name: 'Deactivate Microsoft Teams?' });
  assert.match(await ask.textContent(), /presence sync stops/);
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await ask.waitFor({ state: 'detached', timeout: kWait });
  assert.equal((await connector()).status, 'Active');
  await status.getByRole('button', { name: 'Deactivate' }).click();
  await ask.getByRole('button', { name: 'Deactivate' }).click();
  await status.locator('[data-status="Inactive"]').waitFor({ timeout: kWait });
  assert.equal((await connector()).status, 'Inactive');
  await admin.locator('#sync-health').filter({ hasText: 'Not running' }).waitFor({ timeout: kWait });

  const remove = status.getByRole('button', { name: 'Delete' });
  assert.ok(await remove.isEnabled());
  await remove.click();
  const dialog = admin.getByRole('dialog', { name: 'Delete the Microsoft Teams connector?' });
  assert.match(await dialog.textContent(),
    /enterprise application stays in Microsoft Entra ID: an administrator must remove it there/);
  // Cancel first: nothing happens.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await connector()).status, 'Inactive');
  await remove.click();
  await dialog.getByRole('button', { name: 'Delete connector' }).click();
  const result = admin.getByRole('region', { name: 'Microsoft Teams connector deleted' });
  await result.waitFor({ timeout: kWait });
  const items = await result.locator('ul.removed li').allTextContents();
  assert.ok(items.length > 0, 'the removed list is shown');
  assert.match(await result.textContent(), /stays in Microsoft Entra ID until an administrator removes it there/);
  assert.equal((await connector()).status, 'NotConfigured');
  await result.getByRole('link', { name: 'Back to Connectors' }).click();
  await admin.getByRole('region', { name: 'Microsoft Teams' }).getByRole('button', { name: 'Set up' })
    .waitFor({ timeout: kWait });
  await eventually(async () => (await admin.locator('#error').isHidden()), { what: 'no error shown' });
  await admin.context().close();
});
