// The live event stream (GET /api/v1/events, WebSocket; docs/api.md "Events").
//
// The session cookie authenticates the upgrade (same origin; the server checks Origin and never
// takes a token in the URL). When the session ends (logout, disabled, new roles or password,
// expiry) the server closes the socket with 1008; the reconnect is refused and onRefused lets
// the page find out why. Every event carries `seq`; the
// stream remembers the largest one seen and reconnects with `?after=<seq>`, so the server
// replays what was missed before switching to live events: no gap, no duplicate. Reconnects
// back off exponentially with jitter (0.5 s doubling to 15 s), reset once a connection is live.
//
// A resumed connection that closes before the server's "subscribed" (a replay too large for the
// server's outbox ends that way) is not retried with the cursor: the next connection starts
// over without one, so a backlog can never keep the page from catching up.
//
// Without a cursor (first connection, or after the server could not replay), the page must
// re-read its snapshot over REST: onResync is awaited after the server's "subscribed" message,
// and the events that arrive meanwhile are held and applied after it, in order. Events are
// whole states, so applying them in order after the snapshot ends on the newest state.

const kMinDelayMs = 500;
const kMaxDelayMs = 15000;

export class EventStream {
  // onEvent(event): each event in order. onResync(): async, re-reads the page's snapshot.
  // onStatus({state: 'connecting'|'live'|'waiting', retryInMs}): for the connection indicator.
  // onRefused(): a connection closed before it was live (the session may have ended).
  constructor({ onEvent, onResync, onStatus, onRefused, path = '/api/v1/events' }) {
    this.onEvent = onEvent;
    this.onRefused = onRefused || (() => {});
    this.onResync = onResync;
    this.onStatus = onStatus || (() => {});
    this.path = path;
    this.lastSeq = null;
    this.socket = null;
    this.stopped = false;
    this.attempt = 0;
    this.timer = null;
    this.held = null; // events held while a resync runs
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.socket) this.socket.close(1000, 'page closed');
    this.socket = null;
  }

  url() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const after = this.lastSeq === null ? '' : `?after=${this.lastSeq}`;
    return `${scheme}//${location.host}${this.path}${after}`;
  }

  connect() {
    this.onStatus({ state: 'connecting' });
    const resuming = this.lastSeq !== null;
    const socket = new WebSocket(this.url());
    this.socket = socket;
    this.subscribed = false;
    this.held = resuming ? null : [];
    socket.addEventListener('message', (m) => this.receive(socket, m.data, resuming));
    socket.addEventListener('close', () => this.closed(socket));
    socket.addEventListener('error', () => socket.close());
  }

  receive(socket, text, resuming) {
    if (socket !== this.socket) return;
    let event;
    try {
      event = JSON.parse(text);
    } catch {
      return;
    }
    if (event.type === 'subscribed') {
      this.subscribed = true;
      this.attempt = 0;
      this.onStatus({ state: 'live' });
      if (!resuming) this.resync(socket);
      return;
    }
    if (event.type === 'error') {
      // The replay failed or was too long (code "resync_required"): start over from a fresh
      // snapshot.
      this.lastSeq = null;
      socket.close();
      return;
    }
    if (typeof event.seq === 'number') {
      if (this.lastSeq !== null && event.seq <= this.lastSeq) return; // already applied
      this.lastSeq = event.seq;
    }
    if (this.held) {
      this.held.push(event);
    } else {
      this.onEvent(event);
    }
  }

  async resync(socket) {
    try {
      await this.onResync();
    } catch (e) {
      console.warn('resync failed; reconnecting', e);
      this.lastSeq = null;
      socket.close();
      return;
    }
    if (socket !== this.socket) return;
    const held = this.held || [];
    this.held = null;
    for (const e of held) this.onEvent(e);
  }

  closed(socket) {
    if (socket !== this.socket) return;
    this.socket = null;
    if (this.stopped) return;
    // No trustworthy cursor when the replay did not finish (closed before "subscribed"), or
    // when the snapshot was not applied yet (events still held): start over with a snapshot.
    if (!this.subscribed || this.held !== null) this.lastSeq = null;
    if (!this.subscribed) this.onRefused();
    const base = Math.min(kMaxDelayMs, kMinDelayMs * 2 ** this.attempt);
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    this.attempt += 1;
    this.onStatus({ state: 'waiting', retryInMs: delay });
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
