// The supervisor view (issue 19, "Supervisor") against its own `ccteams demo` with the Teams
// connector Active: a full-width team view where nothing is cut off (1440 px) and that turns
// into labelled cards on a narrow screen (768 px); filters (state, "Idle because of Teams",
// queue, Teams presence) and sorting; the charts with their axes and current values; and a
// supervisor's state change and log out, confirmed first, the result shown beside the button.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Demo } from './demo.mjs';
import { accessibilityProblems, Browser, eventually, kBinary, kShots, kWait, signIn } from './support.mjs';

const demo = new Demo(kBinary);
const browser = new Browser();
let adminToken;
let page; // the supervisor's page, open for the whole file
let agentsByName;
let callbacks; // a queue only agent3 takes

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
  const q = await demo.call('POST', '/api/v1/queues', { token: adminToken, body: { name: 'Callbacks' } });
  assert.equal(q.status, 201, JSON.stringify(q.body));
  callbacks = q.body.id;
  const moved = await demo.call('PATCH', `/api/v1/agents/${agentsByName.get('agent3').userId}`,
    { token: adminToken, body: { queueIds: [callbacks] } });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  // agent1 and agent2 log in; agent1's Teams client presents, which idles them (presence sync).
  for (const name of ['agent1', 'agent2']) {
    const r = await demo.call('POST', '/api/v1/me/session', { token: await demo.token(name), body: {} });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const teams = agentsByName.get('agent1').teamsUserId;
  const p = await demo.emulator('POST', `/_emulator/users/${teams}/presence`,
    { availability: 'DoNotDisturb', activity: 'Presenting' });
  assert.equal(p.status, 200, p.text);

  page = await browser.newPage();
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, demo.base, 'supervisor');
  await page.waitForURL(/\/supervisor\.html$/, { timeout: kWait });
  await page.locator('#connection[data-state="live"]').waitFor({ timeout: kWait });
  await row('agent1').locator('td').nth(0).filter({ hasText: 'Idle: Teams - Presenting' })
    .waitFor({ timeout: kWait });
});

after(async () => {
  await browser.close();
  await demo.stop();
  browser.assertClean();
});

function row(username) {
  return page.locator(`#agents tr[data-agent="${username}"]`);
}

async function visibleAgents() {
  return page.locator('#agents tbody tr:not([hidden])').evaluateAll((rows) => rows.map((r) => r.dataset.agent));
}

test('the team view uses the full width and cuts nothing off; on 768 px it becomes labelled cards', async () => {
  const width = await page.locator('#agents').evaluate((t) => t.getBoundingClientRect().width);
  assert.ok(width > 1300, `the grid is ${width} px wide on a 1440 px screen`);
  // No cell hides text: every cell's content fits its box (wrapping, never an ellipsis).
  const cut = await page.locator('#agents tbody td, #agents tbody th').evaluateAll((cells) =>
    cells.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.textContent));
  assert.deepEqual(cut, [], 'no cell is cut off');
  assert.equal(await row('agent1').locator('td').nth(1).textContent(), 'set by Teams presence: Presenting');
  assert.equal(await row('agent1').locator('td').nth(4).textContent(), 'Do not disturb / Presenting');
  assert.equal(await row('agent3').locator('td').nth(5).textContent(), 'Callbacks');
  await page.screenshot({ path: join(kShots, 'supervisor-1440.png'), fullPage: true });

  await page.setViewportSize({ width: 768, height: 1024 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling at 768 px (${overflow} px too wide)`);
  const label = await row('agent1').locator('td').nth(1)
    .evaluate((td) => getComputedStyle(td, '::before').content);
  assert.equal(label, '"Origin: "', 'each value is labelled on a card');
  await page.screenshot({ path: join(kShots, 'supervisor-768.png'), fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });
});

test('the agents are filtered by state, "Idle because of Teams", queue and Teams presence, and sorted', async () => {
  // The demo's supervisor is an agent too (logged out).
  assert.deepEqual((await visibleAgents()).sort(), ['agent1', 'agent2', 'agent3', 'supervisor']);
  await page.getByLabel('Origin', { exact: true }).selectOption({ label: 'Idle because of Teams' });
  await eventually(async () => (await visibleAgents()).join() === 'agent1', { what: 'only agent1' });
  assert.equal(await page.locator('#filter-summary').textContent(), 'Showing 1 of 4 agents.');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByLabel('State', { exact: true }).selectOption({ label: 'Available' });
  await eventually(async () => (await visibleAgents()).join() === 'agent2', { what: 'only agent2' });
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByLabel('Queue', { exact: true }).selectOption({ label: 'Callbacks' });
  await eventually(async () => (await visibleAgents()).join() === 'agent3', { what: 'only agent3' });
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByLabel('Teams presence', { exact: true }).selectOption({ label: 'Do not disturb' });
  await eventually(async () => (await visibleAgents()).join() === 'agent1', { what: 'agent1 by presence' });
  // A live change is filtered too: agent1's presentation ends, presence sync makes them Available.
  const teams = agentsByName.get('agent1').teamsUserId;
  await demo.emulator('POST', `/_emulator/users/${teams}/presence`, { availability: 'Available', activity: 'Available' });
  await eventually(async () => (await visibleAgents()).length === 0, { what: 'agent1 filtered out live' });
  await page.getByRole('button', { name: 'Clear filters' }).click();

  // Sorting by state (a column heading is a button): Available before Logged out.
  await page.getByRole('button', { name: 'State', exact: true }).click();
  assert.equal(await page.locator('#agents th[data-sort="state"]').getAttribute('aria-sort'), 'ascending');
  await eventually(async () => ['agent3', 'supervisor'].includes((await visibleAgents()).at(-1)), { what: 'logged out last' });
  await page.getByLabel('Sort by').selectOption('name');
  await eventually(async () => (await visibleAgents()).join() === 'agent1,agent2,agent3,supervisor', { what: 'by name' });
});

test('the charts show agents by state, waiting customers, the longest wait and RONA with labelled axes', async () => {
  const latest = async (id) => JSON.parse(await page.locator(`#${id}`).getAttribute('data-latest'));
  await eventually(async () => (await latest('states-chart')).Available === 2, { what: 'two Available' });
  // A customer waits in Callbacks, whose only agent is logged out.
  const r = await demo.call('POST', '/api/v1/demo/contacts', { token: adminToken,
    body: { queueId: callbacks, caller: '+14255550188' } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  await eventually(async () => (await latest('waiting-chart')).waiting === 1, { what: 'one waiting' });
  await eventually(async () => (await latest('wait-chart')).longest >= 1, { what: 'the wait grows' });
  for (const id of ['states-chart', 'waiting-chart', 'wait-chart', 'rona-chart']) {
    const ticks = await page.locator(`#${id} svg text.tick`).allTextContents();
    assert.ok(ticks.includes('now') && ticks.some((t) => /^0( s)?$/.test(t)), `${id}: axis labels ${ticks}`);
    const title = await page.locator(`#${id} svg title`).first().textContent();
    assert.match(title, /Now: /, `${id}: a title in words`);
  }
  assert.match(await page.locator('#waiting-chart .legend').textContent(), /Waiting now: 1/);
  await page.locator('#charts-heading').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(kShots, 'supervisor-charts.png') });
  await demo.call('POST', `/api/v1/demo/contacts/${r.body.contact.id}/hangup`, { token: adminToken });
});

test('a supervisor sets an agent Idle and logs them out, after a confirmation, with the result beside the button', async () => {
  const actions = row('agent2').locator('td').nth(6);
  await actions.getByRole('button', { name: 'Change the state of' }).click();
  const dialog = page.getByRole('dialog', { name: /Change the state of/ });
  await dialog.waitFor({ timeout: kWait });
  await dialog.getByLabel('New state').selectOption({ label: 'Idle: Lunch' });
  await page.screenshot({ path: join(kShots, 'supervisor-change-state.png') });
  await dialog.getByRole('button', { name: 'Change state' }).click();
  await actions.getByRole('status').filter({ hasText: 'Done: Idle: Lunch.' }).waitFor({ timeout: kWait });
  await row('agent2').locator('td').nth(1).filter({ hasText: 'set by a supervisor' }).waitFor({ timeout: kWait });
  // Focus went back to the button that opened the dialog.
  assert.match(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), /Change the state of/);

  // Cancel changes nothing.
  await actions.getByRole('button', { name: 'Change the state of' }).click();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached', timeout: kWait });
  assert.equal(await row('agent2').locator('td').nth(0).textContent(), 'Idle: Lunch');

  await actions.getByRole('button', { name: 'Change the state of' }).click();
  await dialog.getByLabel('New state').selectOption({ label: 'Log out of the desktop' });
  await dialog.getByRole('button', { name: 'Change state' }).click();
  await actions.getByRole('status').filter({ hasText: 'Done: Logged out.' }).waitFor({ timeout: kWait });
  await row('agent2').locator('td').nth(0).filter({ hasText: 'Logged out' }).waitFor({ timeout: kWait });

  // A refusal is shown beside the button too: a logged-out agent cannot be made Available.
  await actions.getByRole('button', { name: 'Change the state of' }).click();
  await dialog.getByLabel('New state').selectOption({ label: 'Available' });
  await dialog.getByRole('button', { name: 'Change state' }).click();
  await actions.getByRole('status').filter({ hasText: /^Not changed: / }).waitFor({ timeout: kWait });
  assert.ok(await page.locator('#error').isHidden(), 'not in a global line');
  await page.screenshot({ path: join(kShots, 'supervisor-actions.png') });
});

test('the supervisor view passes an accessibility check: labels, focus order, contrast', async () => {
  // Tab order follows the page: the skip link, the views, then the filters in reading order.
  await page.locator('body').focus();
  const order = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => document.activeElement.id || document.activeElement.textContent.trim()));
  }
  const at = (id) => order.indexOf(id);
  assert.ok(at('filter-name') >= 0 && at('filter-name') < at('filter-state') &&
    at('filter-state') < at('filter-origin') && at('filter-origin') < at('filter-queue'), order.join(', '));
  // Every control named, text and chart-label contrast at least 4.5:1 (support.mjs).
  assert.deepEqual(await accessibilityProblems(page, { scope: 'main' }), []);
});

// The filter form submits nothing on Enter, even before js/supervisor.js has loaded (a native
// submission would reload the page with the fields in its query): its default button is
// disabled and its method is "dialog". The module is held back to press Enter first.
test("Enter in the filter reloads nothing, before the page's script has loaded and after", async () => {
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/js/supervisor.js', async (route) => {
    await held;
    await route.continue();
  });
  const navigations = [];
  const onNavigated = (frame) => { if (frame === page.mainFrame()) navigations.push(frame.url()); };
  try {
    await page.goto(demo.base + '/supervisor.html', { waitUntil: 'commit' });
    const name = page.locator('#filter-name');
    await name.waitFor({ timeout: kWait });
    page.on('framenavigated', onNavigated);
    await name.fill('agent1');
    await name.press('Enter');
    await page.waitForTimeout(300);
    assert.deepEqual(navigations, [], 'no navigation before the module ran');
    release();
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: kWait });
    await page.evaluate(() => { window.ccteamsStayed = true; });
    await name.fill('agent2');
    await name.press('Enter');
    await eventually(async () => (await visibleAgents()).join() === 'agent2', { what: 'only agent2' });
    assert.equal(await page.evaluate(() => window.ccteamsStayed), true, 'the page was not reloaded');
    assert.deepEqual(navigations, []);
    assert.equal(new URL(page.url()).search, '');
  } finally {
    release();
    page.off('framenavigated', onNavigated);
    await page.unroute('**/js/supervisor.js');
  }
});
