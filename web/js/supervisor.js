// The supervisor view: a live grid of agents (state, origin, since, contact, Teams presence,
// queues, actions) that wraps instead of cutting text off and can be filtered and sorted; queue
// figures; charts of the last hour (agents by state, waiting, longest wait) and RONA per 15
// minutes; a supervisor's state change or log out per agent (supervisor-actions.js).
//
// Built for hundreds of agents: each row's cells are created once and kept in a map; events
// only mark rows dirty, and one animation frame writes the changed cells' text (writes only,
// no layout reads, so no thrashing). The "since" column ticks once a second the same way.

import { comparator, kOrigins, kPresences, kSorts, kStates, matches } from './agent-grid.js';
import { get } from './api.js';
import { TimeChart } from './charts.js';
import { clock, duration, known, originTextFor, presenceText, stateText } from './format.js';
import { errorText, number, t } from './i18n.js';
import { RonaChart } from './rona-chart.js';
import { checkSession, el, showConnection, showError, startPage } from './shell.js';
import { actionCell } from './supervisor-actions.js';
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
let idleCodes = [];
let filters = {};
let sortKey = 'name';
let needsOrder = false;

const kHour = { bucketMs: 60000, buckets: 60 };
const kChartStates = kStates.filter((s) => s.value !== 'LoggedOut');
const statesChart = new TimeChart($('states-chart'), { ...kHour, title: t('sup.statesChart'),
  series: kChartStates.map((s) => ({ key: s.value, label: s.label, cls: `s-${s.value}` })) });
const waitingChart = new TimeChart($('waiting-chart'), { ...kHour, kind: 'line', mode: 'max',
  title: t('sup.waitingChart'),
  series: [{ key: 'waiting', label: t('sup.waitingNow'), cls: 'waiting' }] });
const waitChart = new TimeChart($('wait-chart'), { ...kHour, kind: 'line', mode: 'max',
  title: t('sup.waitChart'), format: (v) => duration(v),
  series: [{ key: 'longest', label: t('sup.longestNow'), cls: 'longest' }] });

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
    state: el('td', { 'data-label': t('desktop.state') }),
    origin: el('td', { 'data-label': t('sup.origin') }),
    since: el('td', { 'data-label': t('sup.since') }),
    contact: el('td', { 'data-label': t('sup.contact') }),
    presence: el('td', { 'data-label': t('agents.presence') }),
    queues: el('td', { 'data-label': t('nav.queues') }),
    actions: el('td', { 'data-label': t('common.actions') }),
  };
  const row = el('tr', { 'data-agent-id': id }, cells.name, cells.state, cells.origin,
    cells.since, cells.contact, cells.presence, cells.queues, cells.actions);
  a = { id, name: name || t('sup.agentN', { id }), state: null, queueIds: [], cells, row };
  cells.actions.append(actionCell(a, { idleCodes: () => idleCodes, onState: setAgent }));
  agents.set(id, a);
  return a;
}

function setAgent(id, state, name) {
  const a = agentRow(id, name);
  const before = a.state;
  a.state = state;
  dirtyAgents.add(id);
  if (before && before.state !== state.state) announce(t('sup.changed', { name: a.name, state: stateText(state) }));
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
    $('agent-announce').textContent = n === 1 ? pendingAnnouncements[0] : t('sup.manyChanged', { n: number(n) });
    pendingAnnouncements = [];
  }, 1000);
}

function contactState(s) {
  return ({ Offered: t('contact.Offered'), Connected: t('contact.Connected'), OnHold: t('contact.OnHold'),
    Consulting: t('contact.Consulting'), Conferenced: t('contact.Conferenced'), Queued: t('contact.Queued') })[s] || s;
}

function contactText(state) {
  if (!state || !state.contactId) return '';
  const c = contacts.get(state.contactId);
  return c ? `#${c.id} ${c.caller} (${queueName(c.queueId)}, ${contactState(c.state)})` : `#${state.contactId}`;
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
  a.cells.queues.textContent = queuesText(a);
  writeSince(a, Date.now());
  a.row.hidden = !matches(a, filters);
}

function queuesText(a) {
  return (a.queueIds || []).map(queueName).join(', ') || '—';
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
  return queueNames.get(id) || t('sup.queueN', { id });
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
    const text = [queueName(id), number(s.waiting), duration(s.longestWaitSeconds), number(s.availableAgents),
      number(s.offered), number(s.answered), number(s.rona)];
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
  const changed = dirtyAgents.size > 0;
  dirtyAgents.clear();
  if (fresh.length || needsOrder || (changed && sortKey !== 'name')) {
    needsOrder = false;
    // Rows move only when the order changed (most events leave it as it is).
    const sorted = [...agents.values()].sort(comparator(sortKey, queuesText));
    const rows = body.children;
    if (rows.length !== sorted.length || sorted.some((a, i) => rows[i] !== a.row)) {
      const frag = document.createDocumentFragment();
      for (const a of sorted) frag.append(a.row);
      body.append(frag);
    }
    $('agent-count').textContent = `(${number(agents.size)})`;
  }
  if (changed || fresh.length) {
    writeFilterSummary();
    sampleCharts(Date.now());
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
  sampleCharts(now);
}

// Once a second: the charts' current minute gets the counts of now.
function sampleCharts(now) {
  const counts = {};
  for (const a of agents.values()) {
    const st = a.state && a.state.state;
    if (st) counts[st] = (counts[st] || 0) + 1;
  }
  statesChart.sample(counts, now);
  let waiting = 0;
  let longest = 0;
  for (const q of queues.values()) {
    waiting += q.stats.waiting;
    // The figure was true when it came; a customer still waiting has waited longer since.
    const grown = q.stats.waiting > 0 ? q.stats.longestWaitSeconds + (now - q.at) / 1000 : 0;
    longest = Math.max(longest, grown);
  }
  waitingChart.sample({ waiting }, now);
  waitChart.sample({ longest: Math.floor(longest) }, now);
  for (const c of [statesChart, waitingChart, waitChart]) c.render(now);
}

// ---- filters and sorting ----

function fillSelect(id, options) {
  $(id).append(...options.map((o) => el('option', { value: o.value, text: o.label })));
}

function writeFilterSummary() {
  let shown = 0;
  for (const a of agents.values()) if (!a.row.hidden) shown += 1;
  const active = Object.values(filters).some(Boolean);
  $('filter-summary').textContent = active ? t('sup.showing', { shown: number(shown), total: number(agents.size) }) : '';
}

function applyFilters() {
  const f = $('agent-filters');
  filters = { name: f.querySelector('#filter-name').value.trim(), state: $('filter-state').value,
    origin: $('filter-origin').value, queue: $('filter-queue').value, presence: $('filter-presence').value };
  for (const a of agents.values()) a.row.hidden = !matches(a, filters);
  writeFilterSummary();
}

function setSort(key) {
  sortKey = key;
  $('sort-by').value = key;
  for (const th of $('agents').tHead.rows[0].cells) {
    if (th.dataset.sort) th.setAttribute('aria-sort', th.dataset.sort === key ? 'ascending' : 'none');
  }
  needsOrder = true;
  schedule();
}

function wireFilters() {
  fillSelect('filter-state', kStates);
  fillSelect('filter-origin', kOrigins);
  fillSelect('filter-presence', kPresences);
  fillSelect('sort-by', kSorts);
  const form = $('agent-filters');
  form.addEventListener('input', (e) => { if (e.target.id !== 'sort-by') applyFilters(); });
  form.addEventListener('change', (e) => { if (e.target.id !== 'sort-by') applyFilters(); });
  form.addEventListener('submit', (e) => e.preventDefault());
  $('sort-by').addEventListener('change', () => setSort($('sort-by').value));
  $('filter-clear').addEventListener('click', () => {
    form.reset();
    applyFilters();
  });
  // Column headings sort too: each a button that says the order it gives.
  for (const th of $('agents').tHead.rows[0].cells) {
    const key = th.dataset.sort;
    if (!key || !kSorts.some((k) => k.value === key)) continue;
    const b = el('button', { type: 'button', class: 'sort', text: th.textContent });
    th.replaceChildren(b);
    b.addEventListener('click', () => setSort(key));
  }
  setSort('name');
}

async function snapshot() {
  const r = await get('/api/v1/agents/states');
  for (const item of r.items) {
    const a = agentRow(item.agentId, item.displayName || item.username);
    a.username = item.username;
    a.queueIds = item.queueIds || [];
    setAgent(item.agentId, item.state);
  }
  for (const q of r.queues) setQueue(q);
}

function setQueue(stats) {
  const q = queues.get(stats.queueId) || {};
  q.stats = stats;
  q.at = Date.now();
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
    fillSelect('filter-queue', r.items.map((q) => ({ value: String(q.id), label: q.name })));
  } catch (e) {
    showError(errorText(e));
  }
}

// The codes a supervisor may set (active ones; RONA is the system's own).
async function loadIdleCodes() {
  try {
    const r = await get('/api/v1/idle-codes');
    idleCodes = r.items.filter((c) => c.active && !c.system);
  } catch (e) {
    showError(errorText(e));
  }
}

async function main() {
  const me = await startPage(['supervisor', 'admin']);
  wireFilters();
  await Promise.all([loadQueueNames(me.roles), loadIdleCodes()]);
  chart.render();
  sampleCharts(Date.now());
  const stream = new EventStream({ onEvent, onResync: snapshot, onStatus: showConnection,
    onRefused: checkSession });
  stream.start();
  setInterval(tick, 1000);
}

main();
