// The supervisor view: a live grid of agents (state, origin, since, contact, Teams presence),
// queue figures and RONA per minute.
//
// Built for hundreds of agents: each row's cells are created once and kept in a map; events
// only mark rows dirty, and one animation frame writes the changed cells' text (writes only,
// no layout reads, so no thrashing). The "since" column ticks once a second the same way.

import { get } from './api.js';
import { clock, duration, known, originTextFor, presenceText, stateText } from './format.js';
import { RonaChart } from './rona-chart.js';
import { checkSession, el, showConnection, showError, startPage } from './shell.js';
import { EventStream } from './ws.js';

const $ = (id) => document.getElementById(id);

const agents = new Map(); // agentId -> {name, state, cells, row}
const contacts = new Map(); // contactId -> contact (open ones)
const queues = new Map(); // queueId -> {stats, row, cells}
const queueNames = new Map();
const dirtyAgents = new Set();
let queuesDirty = false;
let frame = 0;
const chart = new RonaChart($('rona-chart'));

function schedule() {
  if (!frame) frame = requestAnimationFrame(flush);
}

function agentRow(id, name) {
  let a = agents.get(id);
  if (a) {
    if (name) a.name = name;
    return a;
  }
  const cells = {
    name: el('th', { scope: 'row' }),
    state: el('td'),
    origin: el('td'),
    since: el('td'),
    contact: el('td'),
    presence: el('td'),
  };
  const row = el('tr', { 'data-agent-id': id }, cells.name, cells.state, cells.origin,
    cells.since, cells.contact, cells.presence);
  a = { name: name || `Agent ${id}`, state: null, cells, row };
  agents.set(id, a);
  return a;
}

function setAgent(id, state, name) {
  const a = agentRow(id, name);
  const before = a.state;
  a.state = state;
  dirtyAgents.add(id);
  if (before && before.state !== state.state) announce(`${a.name}: ${stateText(state)}.`);
  schedule();
}

// State changes for screen readers: one message a second at most, summarising bursts.
let pendingAnnouncements = [];
let announceTimer = 0;
function announce(text) {
  pendingAnnouncements.push(text);
  if (announceTimer) return;
  announceTimer = setTimeout(() => {
    announceTimer = 0;
    const n = pendingAnnouncements.length;
    $('agent-announce').textContent = n === 1 ? pendingAnnouncements[0] : `${n} agents changed state.`;
    pendingAnnouncements = [];
  }, 1000);
}

function contactText(state) {
  if (!state || !state.contactId) return '';
  const c = contacts.get(state.contactId);
  return c ? `#${c.id} ${c.caller} (${c.state})` : `#${state.contactId}`;
}

function writeAgent(a) {
  const s = a.state;
  a.row.dataset.agent = a.username || '';
  a.row.dataset.state = s ? s.state : '';
  a.cells.name.textContent = a.name;
  a.cells.state.textContent = stateText(s);
  a.cells.origin.textContent = originTextFor(s);
  a.cells.contact.textContent = contactText(s);
  // "—" until presence sync reports this agent's Teams presence.
  a.cells.presence.textContent = presenceText(s && s.teamsPresence);
  writeSince(a, Date.now());
}

// Called for every row once a second: writes only when the text changes (most rows show
// minutes), so a large grid is not re-laid out every second.
function writeSince(a, now) {
  const s = a.state;
  const text = s && known(s.since)
    ? `${clock(s.since)} (${duration((now - Date.parse(s.since)) / 1000)})` : '';
  if (a.sinceText !== text) {
    a.sinceText = text;
    a.cells.since.textContent = text;
  }
}

function queueName(id) {
  return queueNames.get(id) || `Queue ${id}`;
}

function writeQueues() {
  const body = $('queues').tBodies[0];
  let total = 0;
  for (const [id, q] of [...queues.entries()].sort((x, y) => x[0] - y[0])) {
    if (!q.row) {
      q.cells = ['name', 'waiting', 'longest', 'available', 'offered', 'answered', 'rona']
        .map((k) => (k === 'name' ? el('th', { scope: 'row' }) : el('td', { 'data-field': k })));
      q.row = el('tr', { 'data-queue-id': id }, ...q.cells);
      body.append(q.row);
    }
    const s = q.stats;
    const text = [queueName(id), s.waiting, duration(s.longestWaitSeconds), s.availableAgents,
      s.offered, s.answered, s.rona];
    text.forEach((t, i) => { q.cells[i].textContent = String(t); });
    total += s.rona;
  }
  chart.record(total);
  chart.render();
}

function flush() {
  frame = 0;
  const body = $('agents').tBodies[0];
  const fresh = [];
  for (const id of dirtyAgents) {
    const a = agents.get(id);
    writeAgent(a);
    if (!a.row.parentNode) fresh.push(a);
  }
  dirtyAgents.clear();
  if (fresh.length) {
    fresh.sort((x, y) => x.name.localeCompare(y.name));
    const frag = document.createDocumentFragment();
    for (const a of fresh) frag.append(a.row);
    body.append(frag);
    $('agent-count').textContent = `(${agents.size})`;
  }
  if (queuesDirty) {
    queuesDirty = false;
    writeQueues();
  }
}

function tick() {
  const now = Date.now();
  for (const a of agents.values()) writeSince(a, now);
  chart.render(now);
}

async function snapshot() {
  const r = await get('/api/v1/agents/states');
  for (const item of r.items) {
    const a = agentRow(item.agentId, item.displayName || item.username);
    a.username = item.username;
    setAgent(item.agentId, item.state);
  }
  for (const q of r.queues) setQueue(q);
}

function setQueue(stats) {
  const q = queues.get(stats.queueId) || {};
  q.stats = stats;
  queues.set(stats.queueId, q);
  queuesDirty = true;
  schedule();
}

function onEvent(e) {
  if (e.type === 'agent.state') {
    setAgent(e.agentId, e.state);
  } else if (e.type === 'contact') {
    const c = e.contact;
    if (c.state === 'Ended') contacts.delete(c.id);
    else contacts.set(c.id, c);
    if (c.agentId && agents.has(c.agentId)) {
      dirtyAgents.add(c.agentId);
      schedule();
    }
  } else if (e.type === 'queue.stats') {
    setQueue(e.queue);
  }
}

async function loadQueueNames(roles) {
  if (!roles.includes('admin') && !roles.includes('supervisor')) return;
  try {
    const r = await get('/api/v1/queues');
    for (const q of r.items) queueNames.set(q.id, q.name);
  } catch (e) {
    showError(e.message);
  }
}

async function main() {
  const me = await startPage(['supervisor', 'admin']);
  await loadQueueNames(me.roles);
  chart.render();
  const stream = new EventStream({ onEvent, onResync: snapshot, onStatus: showConnection,
    onRefused: checkSession });
  stream.start();
  setInterval(tick, 1000);
}

main();
