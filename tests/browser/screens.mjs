// Every screen of the console in one language (issue 19): a screenshot at 1440x900 and at 768 px
// wide into SCREENSHOT_DIR (<screen>-<language>-<width>.png) and the accessibility check of
// support.mjs (names, tab order, contrast) on each, plus no sideways scrolling at 768 px. Used by
// screens_en_test.mjs and screens_zh_test.mjs, each against its own `ccteams demo` with the
// connector set up.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Demo } from './demo.mjs';
import { accessibilityProblems, Browser, eventually, kBinary, kShots, kWait, tabOrder } from './support.mjs';

// [name, user, path, ready (a selector that says the screen is drawn), full page screenshot and
// the accessibility check's scope (support.mjs)]
const kScreens = [
  ['sign-in', null, '/sign-in.html', '#sign-in-form', true],
  ['desktop', 'agent3', '/desktop.html', '#desktop-login', true],
  ['supervisor', 'supervisor', '/supervisor.html', '#agents tbody tr', true],
  ['admin-connectors', 'admin', '/admin.html#connectors', '.connector-card', true],
  ['admin-connector-details', 'admin', '/admin.html#connectors/msteams', '#presence-mapping', true],
  ['admin-idle-codes', 'admin', '/admin.html#idle-codes', 'tr[data-code]', true],
  ['admin-desktop-profiles', 'admin', '/admin.html#desktop-profiles', 'tr[data-profile]', true],
  ['admin-agents', 'admin', '/admin.html#agents', 'tr[data-agent]', true],
  ['admin-queues', 'admin', '/admin.html#queues', '#view table', true],
  ['admin-users', 'admin', '/admin.html#users', '#view table', true],
  ['admin-audit', 'admin', '/admin.html#audit', '#audit tbody tr', true],
  // The reference is thousands of lines long: its first screen only.
  ['api-reference', null, '/api.html', '#operations section', false,
    'header, #main > :not(#operations), #operations > section:first-of-type'],
];

export function screensIn(locale, tag, labels) {
  const demo = new Demo(kBinary);
  const browser = new Browser();
  const contexts = new Map(); // user -> signed-in context

  before(async () => {
    await browser.launch();
    await demo.start();
    assert.equal(await demo.setUpConnector(await demo.token('admin')), 200);
  });

  after(async () => {
    await browser.close();
    await demo.stop();
    browser.assertClean();
  });

  async function contextOf(user) {
    if (contexts.has(user)) return contexts.get(user);
    const context = await browser.browser.newContext({ locale, viewport: { width: 1440, height: 900 },
      ignoreHTTPSErrors: true });
    context.on('page', (p) => browser.watch(p));
    if (user) {
      const page = await context.newPage();
      await page.goto(demo.base + '/sign-in.html');
      await page.getByLabel(labels.user, { exact: true }).fill(user);
      await page.getByLabel(labels.password, { exact: true }).fill('pw');
      await page.getByRole('button', { name: labels.submit, exact: true }).click();
      await page.waitForURL((u) => !u.pathname.endsWith('/sign-in.html'), { timeout: kWait });
      await page.close();
    }
    contexts.set(user, context);
    return context;
  }

  for (const [name, user, path, ready, full, scope] of kScreens) {
    test(`${name} in ${tag}: screenshots at 1440x900 and 768 px, the accessibility check`, async () => {
      const page = await (await contextOf(user)).newPage();
      await page.goto(demo.base + path);
      await page.locator(ready).first().waitFor({ timeout: kWait });
      await eventually(async () => (await page.evaluate(() => document.documentElement.lang)) === tag,
        { what: `${name} in ${tag}` });
      assert.deepEqual(await accessibilityProblems(page, { scope }), [], `${name} (${tag})`);
      // Tab order follows the document (and so the layout): each Tab moves forward.
      const steps = await tabOrder(page, 10);
      assert.ok(steps.every((s, i) => i === 0 || s.index > steps[i - 1].index),
        `${name} (${tag}) tab order: ${steps.map((s) => s.what).join(' > ')}`);
      await page.evaluate(() => document.activeElement?.blur?.());
      await page.screenshot({ path: join(kShots, `${name}-${tag}-1440.png`), fullPage: full });
      await page.setViewportSize({ width: 768, height: 1024 });
      await page.screenshot({ path: join(kShots, `${name}-${tag}-768.png`), fullPage: full });
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 768 + 1),
        `${name} (${tag}) fits 768 px without sideways scrolling`);
      await page.close();
    });
  }
}
