// Shared by the browser test files: Chromium (Debian's, never downloaded) with one context per
// user, every Content-Security-Policy report and uncaught page error collected so that a file
// can assert there were none, and the sign-in form driven as a person does.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const kChromium = process.env.CHROMIUM || '/usr/bin/chromium';
export const kBinary = process.env.CCTEAMS_BINARY || '';
export const kShots = process.env.SCREENSHOT_DIR || join(process.cwd(), 'screenshots');
// How long a test waits for a live update to show: a wait, not a figure (it returns as soon as
// the update is there; how fast updates are is presence_bench's business), generous enough for
// the ASan build on a loaded machine.
export const kWait = 20000;

export class Browser {
  constructor() {
    this.cspViolations = [];
    this.pageErrors = [];
  }

  async launch() {
    assert.ok(process.env.CCTEAMS_URL || (kBinary && existsSync(kBinary)),
      `CCTEAMS_BINARY must name the built ccteams binary (got '${kBinary}')`);
    assert.ok(existsSync(kChromium),
      `${kChromium} is missing: install Debian's package with 'apt-get install -y chromium' ` +
      '(scripts/install-deps.sh does)');
    let chromium;
    try {
      ({ chromium } = await import('playwright-core'));
    } catch (e) {
      assert.fail(`playwright-core is not installed: run 'npm ci' in tests/browser ` +
        `(scripts/install-deps.sh does): ${e.message}`);
    }
    mkdirSync(kShots, { recursive: true });
    this.browser = await chromium.launch({ executablePath: kChromium, headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  }

  async close() {
    if (this.browser) await this.browser.close();
  }

  watch(page) {
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) this.cspViolations.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => this.pageErrors.push(`${page.url()}: ${e.message}`));
  }

  // A fresh context (its own cookies). The emulated Entra pages are served over HTTPS with the
  // demo's generated CA, which Chromium does not know; Node's calls verify that CA for real.
  async newPage({ initScript } = {}) {
    const context = await this.browser.newContext({ viewport: { width: 1280, height: 900 },
      ignoreHTTPSErrors: true });
    if (initScript) await context.addInitScript(initScript);
    context.on('page', (p) => this.watch(p));
    const page = await context.newPage();
    return page;
  }

  assertClean() {
    assert.deepEqual(this.pageErrors, [], 'no uncaught errors in the pages');
    assert.deepEqual(this.cspViolations, [], 'no Content-Security-Policy violations');
  }
}

export async function signIn(page, base, username, password = 'pw') {
  await page.goto(base + '/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// Polls fn (async, truthy when done) until it is, or fails with what it last returned.
export async function eventually(fn, { timeout = kWait, interval = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) assert.fail(`${what} not reached within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
