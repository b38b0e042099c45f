// Test support: runs `ccteams demo` in a fresh data folder (as tests/demo_fixture.hpp does),
// learns its port from the printed console URL, and calls its API from Node (the demo's
// simulated telephony lives there: POST /api/v1/demo/contacts). The demo inherits the
// environment, so CCTEAMS_WEB_ROOT chooses the web folder it serves.
//
// The demo's Graph emulator (Entra and Graph, over HTTPS with a CA the demo writes into its
// data folder) is reached with that CA, really verified: emulator() calls its control API,
// setUpConnector() does the admin consent as a browser would, without one.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class Demo {
  constructor(binary) {
    this.binary = binary;
    this.output = '';
    this.port = 0;
  }

  // Starts the demo; with CCTEAMS_URL set (e.g. http://127.0.0.1:8080, a demo started by hand
  // with --password pw), uses that one instead.
  async start(timeoutMs = 60000) {
    if (process.env.CCTEAMS_URL) {
      this.base = process.env.CCTEAMS_URL.replace(/\/$/, '');
      return;
    }
    this.data = mkdtempSync(join(tmpdir(), 'ccteams-browser-'));
    this.child = spawn(this.binary, ['demo', '--port', '0', '--password', 'pw', '--password-hash',
      'minimum', '--agents', '3', '--simulation', 'off', '--data', this.data],
    { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    const collect = (chunk) => { this.output += chunk.toString(); };
    this.child.stdout.on('data', collect);
    this.child.stderr.on('data', collect);
    const deadline = Date.now() + timeoutMs;
    while (!/Password:/.test(this.output)) {
      if (this.child.exitCode !== null) throw new Error(`demo exited early:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`demo did not start in time:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const m = /Console:\s+http:\/\/127\.0\.0\.1:(\d+)\//.exec(this.output);
    if (!m) throw new Error(`no console URL in the demo's output:\n${this.output}`);
    this.port = Number(m[1]);
    this.base = `http://127.0.0.1:${this.port}`;
    const e = /Graph emulator:\s+(https?:\/\/127\.0\.0\.1:\d+)\s+\(tenant (\S+), CA certificate (\S+)\)/
      .exec(this.output);
    if (!e) throw new Error(`no emulator URL in the demo's output:\n${this.output}`);
    this.emulatorBase = e[1];
    this.tenantDomain = e[2];
    this.ca = readFileSync(e[3], 'utf8');
    const g = /Microsoft 365 accounts: (\S+) \(Global Administrator\)/.exec(this.output);
    this.globalAdmin = g ? g[1] : `admin@${this.tenantDomain}`;
  }

  // One HTTPS request to the emulator, verified against the demo's CA; resolves with
  // {status, headers, text, body (parsed JSON or null)}. Redirects are not followed.
  emulatorRequest(method, url, { body, form } = {}) {
    const headers = { Accept: 'application/json, text/html' };
    let payload;
    if (form) {
      payload = new URLSearchParams(form).toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
    const target = new URL(url, this.emulatorBase);
    return new Promise((resolve, reject) => {
      const req = https.request(target, { method, headers, ca: this.ca, timeout: 10000 }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => { text += c; });
        res.on('end', () => {
          let parsed = null;
          try { parsed = JSON.parse(text); } catch { /* HTML */ }
          resolve({ status: res.statusCode, headers: res.headers, text, body: parsed });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  // The emulator's control API (POST /_emulator/users/{id}/presence…).
  emulator(method, path, body) {
    return this.emulatorRequest(method, path, { body });
  }

  // The Teams connector set up through the API and the emulated consent pages (Email + Next,
  // Accept), as the popup does it; resolves with the callback's HTTP status.
  async setUpConnector(adminToken, upn = this.globalAdmin) {
    const started = await this.call('POST', '/api/v1/connectors/msteams/authorize', { token: adminToken });
    if (started.status !== 200) throw new Error(`authorize: ${started.status} ${JSON.stringify(started.body)}`);
    const value = (html, marker, attr) => {
      const at = html.indexOf(marker);
      const m = at < 0 ? null : new RegExp(`${attr}="([^"]*)"`).exec(html.slice(at));
      return m ? m[1].replace(/&amp;/g, '&') : '';
    };
    // Entra's page: sign in with Email + Next, then Accept when a consent page is shown.
    const throughEntra = async (url) => {
      const page = await this.emulatorRequest('GET', url);
      const next = await this.emulatorRequest('POST', value(page.text, '<form', 'action'),
        { form: { flow: value(page.text, 'name="flow"', 'value'), login: upn } });
      let to = next.headers.location;
      if (!to) {
        const done = await this.emulatorRequest('POST', value(next.text, '<form', 'action'),
          { form: { flow: value(next.text, 'name="flow"', 'value'), decision: 'accept' } });
        to = done.headers.location;
      }
      if (!to) throw new Error('the emulated Entra page did not redirect');
      return to;
    };
    // The administrator's sign-in first; our callback then sends the popup to admin consent in
    // the tenant the sign-in proved.
    const signedIn = await throughEntra(started.body.authorizationUrl);
    const ours = await fetch(signedIn, { redirect: 'manual', signal: AbortSignal.timeout(10000) });
    if (ours.status !== 302) return ours.status;
    const location = await throughEntra(ours.headers.get('location'));
    const callback = await fetch(location, { signal: AbortSignal.timeout(10000) });
    return callback.status;
  }

  async stop() {
    if (this.child && this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (this.data) rmSync(this.data, { recursive: true, force: true });
  }

  // One API call with a bearer token; resolves with {status, body, headers}.
  async call(method, path, { token, body } = {}) {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(this.base + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10000),
    });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : null };
  }

  async token(username, password = 'pw') {
    const r = await this.call('POST', '/api/v1/auth/login', { body: { username, password } });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token;
  }
}
