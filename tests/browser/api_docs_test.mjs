// The console's API reference (web/api.html) in Chromium against its own `ccteams demo`: it
// renders the server's OpenAPI document (GET /api/v1/openapi.json), every documented operation
// listed under its tag, schemas expandable; reached from the administration page.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Demo } from './demo.mjs';
import { Browser, kBinary, kShots, kWait, signIn } from './support.mjs';

const demo = new Demo(kBinary);
const browser = new Browser();

before(async () => {
  await browser.launch();
  await demo.start();
});

after(async () => {
  await browser.close();
  await demo.stop();
  browser.assertClean();
});

test('the API reference lists every documented operation, reached from the admin page', async () => {
  const doc = await demo.call('GET', '/api/v1/openapi.json');
  assert.equal(doc.status, 200);
  assert.match(doc.body.openapi, /^3\.1\./);
  const documented = [];
  for (const [path, item] of Object.entries(doc.body.paths)) {
    for (const method of Object.keys(item)) documented.push([method.toUpperCase(), path]);
  }
  assert.ok(documented.length > 70, `only ${documented.length} operations`);

  const page = await browser.newPage();
  await signIn(page, demo.base, 'admin');
  await page.waitForURL(/\/admin\.html/, { timeout: kWait });
  await page.getByRole('link', { name: 'API reference' }).click();
  await page.waitForURL(/\/api\.html$/, { timeout: kWait });
  await page.locator('#operations:not([aria-busy])').waitFor({ timeout: kWait });

  const listed = await page.locator('details.op').evaluateAll((cards) =>
    cards.map((c) => `${c.dataset.method} ${c.dataset.path}`));
  for (const [method, path] of documented) {
    assert.ok(listed.includes(`${method} ${path}`), `${method} ${path} is not listed`);
  }
  assert.equal(listed.length, documented.length);
  // Grouped by tag, with a table of contents.
  await page.getByRole('heading', { name: 'Authentication', level: 2 }).waitFor();
  await page.getByRole('link', { name: /^Users \(\d+\)$/ }).waitFor();
  await page.screenshot({ path: join(kShots, 'api-reference.png') });

  // An operation opens to its parameters, request body and responses; a schema expands.
  const login = page.locator('details.op[data-method="POST"][data-path="/api/v1/auth/login"]');
  await login.locator('summary.op-head').click();
  await login.getByText('Security: public (no credentials)').waitFor();
  await login.locator('details.schema > summary', { hasText: 'LoginRequest' }).click();
  await login.locator('th code', { hasText: 'username' }).first().waitFor();
  const ok = login.locator('details.response')
    .filter({ has: page.locator('summary > strong', { hasText: /^200$/ }) });
  await ok.locator('summary').first().click();
  await ok.locator('details.schema > summary', { hasText: 'LoginResponse' }).click();
  await ok.locator('th code', { hasText: 'csrfToken' }).waitFor();
  await ok.locator('details.example > summary').click();
  await ok.locator('pre').getByText('"tokenType": "Bearer"').waitFor();
  await login.screenshot({ path: join(kShots, 'api-reference-login.png') });

  // Public: the page and its document need no session.
  const anonymous = await browser.newPage();
  await anonymous.goto(demo.base + '/api.html');
  await anonymous.locator('details.op[data-path="/healthz"]').waitFor({ timeout: kWait });
});
