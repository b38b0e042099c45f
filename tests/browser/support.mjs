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

// A small accessibility check of our own (no axe in the tree), for the page as it is now:
// every visible form control has an accessible name (a label, aria-label or aria-labelledby),
// every button and link a name, no positive tabindex (the tab order is the document's), and
// text contrast of at least 4.5:1 (3:1 for large text) against the nearest opaque background.
// Resolves with a list of problems (empty when it passes). scope: a selector of the parts to
// check (the whole body by default; the API reference's thousands of operations are sampled).
export async function accessibilityProblems(page, { scope = 'body' } = {}) {
  return page.evaluate((roots) => {
    const problems = [];
    const all = (selector) => [...document.querySelectorAll(roots)].flatMap((r) =>
      [...(r.matches(selector) ? [r] : []), ...r.querySelectorAll(selector)]);
    const visible = (n) => {
      // Inside a closed <details> (all but its summary) nothing is shown: skipped before layout.
      const closed = n.closest('details:not([open])');
      if (closed && n.closest('summary')?.parentElement !== closed) return false;
      return n.getClientRects().length > 0 && !n.closest('[hidden]');
    };
    const named = (n) => (n.labels && n.labels.length > 0 && [...n.labels].some((l) => l.textContent.trim())) ||
      (n.getAttribute('aria-label') || '').trim() ||
      (n.getAttribute('aria-labelledby') || '').split(/\s+/).some((id) => document.getElementById(id)?.textContent.trim()) ||
      ((n.tagName === 'BUTTON' || n.tagName === 'A' || n.tagName === 'SUMMARY') && n.textContent.trim());
    for (const n of all('input:not([type=hidden]), select, textarea, button, a[href], summary')) {
      if (visible(n) && !named(n)) problems.push(`no name: ${n.outerHTML.slice(0, 120)}`);
    }
    for (const n of all('[tabindex]')) {
      if (Number(n.getAttribute('tabindex')) > 0) problems.push(`positive tabindex: ${n.outerHTML.slice(0, 80)}`);
    }
    for (const n of all('svg[role=img]')) {
      if (!n.querySelector('title') && !n.getAttribute('aria-label')) problems.push('chart without a title');
    }
    const rgb = (s) => (s.match(/\d+(\.\d+)?/g) || []).slice(0, 3).map(Number);
    const lum = ([r, g, b]) => {
      const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const bg = (n) => {
      for (let e = n; e; e = e.parentElement) {
        const c = getComputedStyle(e).backgroundColor;
        if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return rgb(c);
      }
      return [255, 255, 255];
    };
    const texts = all('p, td, th, label, summary, button, a, h1, h2, h3, li, dt, dd, legend, span, option');
    for (const n of texts) {
      const own = [...n.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim());
      if (!own || !visible(n) || n.closest('.visually-hidden') || n.tagName === 'OPTION') continue;
      const style = getComputedStyle(n);
      const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
      const r = ratio(rgb(style.color), bg(n));
      if (r < (large ? 3 : 4.5)) problems.push(`contrast ${r.toFixed(2)}: ${n.textContent.trim().slice(0, 40)}`);
    }
    // Chart labels are SVG text: their fill against the chart's background.
    for (const n of all('svg text')) {
      if (!n.textContent.trim() || !visible(n)) continue;
      const r = ratio(rgb(getComputedStyle(n).fill), bg(n));
      if (r < 4.5) problems.push(`chart label contrast ${r.toFixed(2)}: ${n.textContent.trim().slice(0, 40)}`);
    }
    return problems;
  }, scope);
}

// The focus order: Tab pressed from the top of the page, up to n times (no more than the page
// has focusable elements, so it never wraps around); each step's focused element as its index in
// document order and a short name.
export async function tabOrder(page, n) {
  const count = await page.evaluate(() => {
    const start = document.createElement('span');
    start.id = 'tab-order-start';
    start.tabIndex = -1;
    document.body.prepend(start);
    start.focus();
    window.scrollTo(0, 0);
    const focusable = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
    return [...document.querySelectorAll(focusable)].filter((e) => e.tabIndex >= 0 && !e.disabled &&
      !e.closest('[hidden]') && !e.closest('details:not([open]) > :not(summary)') &&
      e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden').length;
  });
  const steps = [];
  for (let i = 0; i < Math.min(n, count); i++) {
    await page.keyboard.press('Tab');
    steps.push(await page.evaluate(() => {
      const a = document.activeElement;
      const all = [...document.querySelectorAll('*')];
      return { index: all.indexOf(a), what: a.id || (a.getAttribute('aria-label') || a.textContent || a.tagName).trim().slice(0, 40) };
    }));
  }
  await page.evaluate(() => document.getElementById('tab-order-start')?.remove());
  return steps;
}

// Microsoft's pages in the Set up popup, answered as a person does: the sign-in (Email, Next)
// and consent (Accept) where shown — first the administrator's sign-in, then admin consent in
// the tenant it proved. Returns once the popup has closed itself (connected) or shows our
// callback page (a refusal).
export async function answerEntra(popup, upn) {
  for (let step = 0; step < 10 && !popup.isClosed(); step++) {
    await popup.waitForLoadState().catch(() => {});
    if (popup.isClosed() || popup.url().includes('/api/v1/connectors/msteams/callback')) return;
    const moved = popup.waitForEvent('framenavigated', { timeout: kWait }).catch(() => {});
    const email = popup.getByLabel('Email');
    const accept = popup.getByRole('button', { name: 'Accept' });
    if (await email.count()) {
      await email.fill(upn);
      await popup.getByRole('button', { name: 'Next' }).click();
    } else if (await accept.count()) {
      await accept.click();
    }
    await moved;
  }
}
