// Test support: runs `ccteams demo` in a fresh data folder (as tests/demo_fixture.hpp does),
// learns its port from the printed console URL, and calls its API from Node (the demo's
// simulated telephony lives there: POST /api/v1/demo/contacts).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
    { stdio: ['ignore', 'pipe', 'pipe'] });
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
