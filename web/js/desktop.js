// The agent desktop: desktop log in/out, the state selector with the state's origin in words,
// the ringing offer with a live RONA countdown, the active contact's controls and wrap-up.
// Kept live by the event stream; REST answers are applied at once as well (events repeat them).

import { del, get, post, put } from './api.js';
import { loadDesktopConfig } from './desktop-config.js';
import { directoryAvailable, openDirectory } from './directory.js';
import { duration, known, originText, stateText } from './format.js';
import { act, checkSession, el, showConnection, startPage } from './shell.js';
import { EventStream } from './ws.js';

const $ = (id) => document.getElementById(id);
const kContactStates = new Set(['Reserved', 'Engaged', 'WrapUp']);

const model = {
  me: null,
  config: { idleCodes: [], ronaTimeoutSeconds: 15 },
  state: null,
  contact: null,
  // Local clock minus server clock. Each event bounds it from above (delivery takes time, and
  // replayed events are older still), so the smallest difference seen is the best estimate.
  clockSkewMs: null,
  announcedOffer: null,
  // Teams users consulted or transferred to from the directory: id -> display name.
  partyNames: new Map(),
  warnings: [],
};

function serverNow() {
  return Date.now() - (model.clockSkewMs ?? 0);
}

function applyState(state) {
  const before = model.state;
  model.state = state;
  if (!kContactStates.has(state.state)) model.contact = null;
  if (state.contactId && (!model.contact || model.contact.id !== state.contactId)) {
    loadContact(state.contactId);
  }
  if (!before || before.state !== state.state || before.idleCodeId !== state.idleCodeId) {
    const why = originText(state);
    $('state-announce').textContent = `Your state is now ${stateText(state)}${why ? ', ' + why : ''}.`;
  }
  render();
}

function applyContact(contact) {
  const mine = contact.agentId === model.me.id ||
    (model.state && model.state.contactId === contact.id);
  if (mine) {
    model.contact = contact;
  } else if (model.contact && model.contact.id === contact.id) {
    model.contact = null; // offered to someone else (RONA) or transferred away
  }
  render();
}

async function loadContact(id) {
  try {
    const r = await get(`/api/v1/contacts/${id}`);
    // An event may have brought a newer copy meanwhile; this one only fills the gap.
    const stillWanted = model.state && model.state.contactId === id;
    if (stillWanted && (!model.contact || model.contact.id !== id)) applyContact(r.contact);
  } catch {
    // Gone meanwhile: the next event says where it went.
  }
}

async function snapshot() {
  const me = await get('/api/v1/me');
  model.state = null;
  applyState(me.state);
}

function onEvent(e) {
  if (e.at) {
    const d = Date.now() - Date.parse(e.at);
    if (model.clockSkewMs === null || d < model.clockSkewMs) model.clockSkewMs = d;
  }
  if (e.type === 'agent.state' && e.agentId === model.me.id) applyState(e.state);
  else if (e.type === 'contact') applyContact(e.contact);
}

// ---- rendering ----

function renderStateSelector(state) {
  const select = $('state-select');
  const want = [{ value: 'available', label: 'Available' }];
  for (const c of model.config.idleCodes) want.push({ value: `idle:${c.id}`, label: `Idle: ${c.name}` });
  if (state.state === 'Idle' && !want.some((o) => o.value === `idle:${state.idleCodeId}`)) {
    // The current code (RONA, or one set by presence sync) is shown even if it cannot be chosen.
    want.push({ value: `idle:${state.idleCodeId}`, label: `Idle: ${state.idleCodeName}`, disabled: true });
  }
  const signature = want.map((o) => o.value + o.label).join('|');
  if (select.dataset.signature !== signature) {
    select.replaceChildren(...want.map((o) =>
      el('option', { value: o.value, text: o.label, disabled: o.disabled })));
    select.dataset.signature = signature;
  }
  if (document.activeElement !== select) {
    select.value = state.state === 'Idle' ? `idle:${state.idleCodeId}` : 'available';
  }
  const busy = state.state === 'Reserved' || state.state === 'Engaged';
  select.disabled = busy;
  $('state-form').querySelector('button[type=submit]').disabled = busy;
  $('desktop-logout').disabled = busy || state.state === 'WrapUp';
}

function render() {
  const s = model.state;
  if (!s) return;
  const badge = $('state-text');
  badge.textContent = stateText(s);
  badge.dataset.state = s.state;
  $('state-origin').textContent = originText(s);
  const loggedIn = s.state !== 'LoggedOut';
  $('logged-out-controls').hidden = loggedIn;
  $('state-form').hidden = !loggedIn;
  if (loggedIn) renderStateSelector(s);
  const note = $('codes-note');
  note.hidden = model.config.idleCodes.length > 0 || !loggedIn;
  note.textContent = 'The server does not list your idle codes yet: only Available can be chosen here.';

  const c = model.contact;
  const offered = s.state === 'Reserved' && c && c.state === 'Offered';
  $('offer').hidden = !offered;
  if (offered) {
    $('offer-text').textContent = `${c.caller} is calling (queue ${c.queueId}).`;
    if (model.announcedOffer !== c.id + ':' + c.offers) {
      model.announcedOffer = c.id + ':' + c.offers;
      $('offer-announce').textContent = `Incoming contact from ${c.caller}. Accept or decline.`;
      $('accept').focus();
    }
  }
  const engaged = s.state === 'Engaged' && c && c.state !== 'Offered' && c.state !== 'Ended';
  $('active').hidden = !engaged;
  if (engaged) renderActive(c);
  $('wrapup').hidden = s.state !== 'WrapUp';
  tick();
}

function partyText(p) {
  if (!p) return '';
  if (p.agentId) return `With agent ${p.agentId}`;
  const name = p.teamsUserId && model.partyNames.get(p.teamsUserId);
  return name ? `With ${name} (Teams, ${p.number})` : `With ${p.number}`;
}

function renderActive(c) {
  const words = { Connected: 'Connected', OnHold: 'On hold', Consulting: 'Consulting',
    Conferenced: 'In conference' };
  $('active-text').textContent = `${c.caller}: ${words[c.state] || c.state}`;
  const p = c.party;
  if (!p) model.warnings = [];
  $('active-party').textContent = partyText(p);
  $('directory-search').hidden = !directoryAvailable ||
    !['Connected', 'OnHold', 'Consulting'].includes(c.state);
  const warnings = $('contact-warnings');
  warnings.replaceChildren(...model.warnings.map((w) => el('li', { text: w.message })));
  warnings.hidden = model.warnings.length === 0;
  $('hold').hidden = c.state !== 'Connected';
  $('resume').hidden = c.state !== 'OnHold';
  $('conference').hidden = c.state !== 'Consulting';
  $('drop-party').hidden = c.state !== 'Consulting' && c.state !== 'Conferenced';
  $('consult').hidden = c.state !== 'Connected' && c.state !== 'OnHold';
}

// Once a second (and on every render): the countdown and the clocks. Writes only, no reads of
// layout, so it never forces a reflow.
function tick() {
  const s = model.state;
  if (!s) return;
  const now = serverNow();
  $('state-since').textContent = known(s.since) ? `for ${duration((now - Date.parse(s.since)) / 1000)}` : '';
  const c = model.contact;
  if (s.state === 'Reserved' && c && c.state === 'Offered') {
    const total = model.config.ronaTimeoutSeconds;
    const left = Math.max(0, total - (now - Date.parse(c.since)) / 1000);
    const progress = $('offer-progress');
    progress.max = total;
    progress.value = left;
    $('offer-countdown').textContent = `${Math.ceil(left)} s`;
  }
  if (c && s.state === 'Engaged') {
    $('active-duration').textContent = duration((now - Date.parse(c.since)) / 1000);
  }
}

// ---- actions ----

function contactAction(button, name, body) {
  const c = model.contact;
  if (!c) return;
  act(button, async () => {
    const r = await post(`/api/v1/contacts/${c.id}/${name}`, body);
    if (r && r.contact) applyContact(r.contact);
  });
}

function targetBody() {
  const form = $('target-form');
  const value = form.target.value.trim();
  if (form.kind.value === 'agent') return { agentId: Number.parseInt(value, 10) };
  return { number: value };
}

// The directory's Consult / Transfer: the server dials the Teams user's business phone and may
// warn (busy in Teams, presence unreadable); a refusal (409 not dialable, connector not Active)
// rejects, and the directory shows its message.
async function toTeamsUser(user, action) {
  const c = model.contact;
  if (!c) throw new Error('The contact has ended.');
  const r = await post(`/api/v1/contacts/${c.id}/${action}`, { teamsUserId: user.id });
  model.partyNames.set(user.id, user.displayName);
  model.warnings = (r && r.warnings) || [];
  if (model.warnings.length) {
    $('offer-announce').textContent = model.warnings.map((w) => w.message).join(' ');
  }
  if (r && r.contact) applyContact(r.contact);
}

function wire() {
  $('desktop-login').addEventListener('click', (e) =>
    act(e.currentTarget, async () => applyState((await post('/api/v1/me/session')).state)));
  $('desktop-logout').addEventListener('click', (e) =>
    act(e.currentTarget, async () => applyState((await del('/api/v1/me/session')).state)));
  $('state-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const v = $('state-select').value;
    const body = v === 'available' ? { state: 'Available' }
      : { state: 'Idle', idleCodeId: Number.parseInt(v.slice(5), 10) };
    act(e.submitter, async () => applyState((await put('/api/v1/me/state', body)).state));
  });
  for (const name of ['accept', 'decline', 'hold', 'resume', 'conference', 'drop-party', 'end']) {
    $(name).addEventListener('click', (e) => contactAction(e.currentTarget, name));
  }
  const form = $('target-form');
  form.addEventListener('change', () => {
    const agent = form.kind.value === 'agent';
    $('target-label').textContent = agent ? 'Agent id' : 'Phone number (E.164, e.g. +14255550100)';
    form.target.inputMode = agent ? 'numeric' : 'tel';
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const which = e.submitter ? e.submitter.value : 'consult';
    contactAction(e.submitter, which, targetBody());
  });
  const search = $('directory-search');
  search.addEventListener('click', () => {
    const c = model.contact;
    // Consulting first is how a conference starts (Conference then joins the consulted party).
    const actions = c && c.state === 'Consulting' ? [{ value: 'transfer', label: 'Transfer' }]
      : [{ value: 'consult', label: 'Consult' }, { value: 'transfer', label: 'Transfer' }];
    openDirectory({ actions, onPick: toTeamsUser });
  });
  $('wrapup-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const id = (model.state && model.state.contactId) || (model.contact && model.contact.id);
    const code = $('wrapup-code').value.trim();
    act(e.submitter, async () => {
      const r = await post(`/api/v1/contacts/${id}/wrapup`, code ? { code } : {});
      $('wrapup-code').value = '';
      applyState(r.state);
    });
  });
}

async function main() {
  model.me = await startPage(['agent']);
  wire();
  try {
    model.config = await loadDesktopConfig();
  } catch (e) {
    $('error').textContent = e.message;
    $('error').hidden = false;
  }
  const stream = new EventStream({ onEvent, onResync: snapshot, onStatus: showConnection,
    onRefused: checkSession });
  stream.start();
  setInterval(tick, 250);
}

main();
