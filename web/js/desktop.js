// The agent desktop: desktop log in/out, the state selector with the state's origin in words,
// the agent's own Teams presence (and a hint when it disagrees with their state), RONA
// explained, the ringing offer with a live RONA countdown and its queue's name, the active
// contact's controls (while consulting: transfer to, conference with or cancel the consulted
// party), consult / transfer to a number, the Teams directory or an agent picked by state, the
// agent's queues with their waiting customers, and wrap-up. Feedback shows beside the control
// that caused it. Kept live by the event stream; REST answers are applied at once as well.

import { del, get, post, put } from './api.js';
import { loadDesktopConfig } from './desktop-config.js';
import { attention, wireAlerts } from './desktop-notify.js';
import { noticeFor, renderPresence, ronaExplained } from './desktop-presence.js';
import { Team } from './desktop-team.js';
import { directoryAvailable, openDirectory } from './directory.js';
import { duration, known, originText, stateText } from './format.js';
import { errorText, t } from './i18n.js';
import { act, checkSession, el, showConnection, showError, startPage } from './shell.js';
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
  lastOffer: null, // {queueId, caller} of the latest offer: what a RONA was about
  ronaText: '',
  noticed: null, // the key of what the agent was last alerted to
};
const team = new Team({ onError: () => {} });
const feedback = (id) => ({ feedback: $(id) });

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
    $('state-announce').textContent = why ? t('desktop.stateNowWhy', { state: stateText(state), why })
      : t('desktop.stateNow', { state: stateText(state) });
  }
  if (state.state !== 'LoggedOut' && (!before || before.state === 'LoggedOut')) team.refresh();
  if (state.state === 'Idle' && state.origin === 'rona') {
    if (!model.ronaText || (before && before.origin !== 'rona')) {
      model.ronaText = ronaExplained(state, model.lastOffer, (id) => team.queueName(id));
    }
  } else {
    model.ronaText = '';
  }
  render();
}

function applyContact(contact) {
  // The state's contact is this agent's; so is one they are the agent of, unless the state
  // already names another (a late answer about the contact just ended must not hide the next
  // offer).
  const s = model.state;
  const mine = (s && s.contactId === contact.id) ||
    (contact.agentId === model.me.id && !(s && s.contactId && s.contactId !== contact.id));
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

// The tab title, sound and notification, once for each thing worth noticing.
function notice(s, c) {
  const what = noticeFor(s, c, { ringing: ringing(s, c), queueName: (id) => team.queueName(id),
    ronaTimeoutSeconds: model.config.ronaTimeoutSeconds, ronaText: model.ronaText });
  const key = what ? what.key : null;
  if (key === model.noticed) return;
  model.noticed = key;
  attention(what);
}

function renderStateSelector(state) {
  const select = $('state-select');
  const want = [{ value: 'available', label: t('state.Available') }];
  for (const c of model.config.idleCodes) want.push({ value: `idle:${c.id}`, label: t('state.idleWith', { code: c.name }) });
  if (state.state === 'Idle' && !want.some((o) => o.value === `idle:${state.idleCodeId}`)) {
    // The current code (RONA, or one set by presence sync) is shown even if it cannot be chosen.
    want.push({ value: `idle:${state.idleCodeId}`, label: t('state.idleWith', { code: state.idleCodeName }), disabled: true });
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
  note.textContent = t('desktop.noCodes');

  renderPresence(s, model.ronaText);
  const c = model.contact;
  const offered = ringing(s, c);
  $('offer').hidden = !offered;
  notice(s, c);
  if (offered) {
    const by = consultedHere(c) ? team.agentName(c.agentId) : null;
    model.lastOffer = { queueId: c.queueId, caller: c.caller, by };
    $('offer-text').textContent = by ? t('desktop.consultsYou', { by, caller: c.caller, queue: team.queueName(c.queueId) })
      : t('desktop.calling', { caller: c.caller, queue: team.queueName(c.queueId) });
    if (model.announcedOffer !== `${c.id}:${c.offers}:${c.since}`) {
      model.announcedOffer = `${c.id}:${c.offers}:${c.since}`;
      $('offer-announce').textContent = t('desktop.offerAnnounce', { caller: c.caller });
      $('accept').focus();
    }
  }
  const engaged = s.state === 'Engaged' && c && c.state !== 'Offered' && c.state !== 'Ended';
  $('active').hidden = !engaged;
  if (engaged) renderActive(c);
  $('wrapup').hidden = s.state !== 'WrapUp';
  tick();
}

// Ringing for this agent: a queue's offer, or another agent's consult not answered yet.
function ringing(s, c) {
  if (!s || s.state !== 'Reserved' || !c) return false;
  return c.state === 'Offered' || (consultedHere(c) && !c.partyJoined);
}

// This agent is the consulted party of c (another agent's contact).
function consultedHere(c) {
  return Boolean(c && c.party && c.party.agentId === model.me.id);
}

function partyText(p) {
  if (!p) return '';
  if (p.agentId) return t('desktop.withAgent', { name: team.agentName(p.agentId) });
  const name = p.teamsUserId && model.partyNames.get(p.teamsUserId);
  return name ? t('desktop.withTeams', { name, number: p.number }) : t('desktop.withNumber', { number: p.number });
}

// The consulted party by name, for "Transfer to …".
function partyName(p) {
  if (p.agentId) return team.agentName(p.agentId);
  return (p.teamsUserId && model.partyNames.get(p.teamsUserId)) || p.number;
}

// A transfer to the consulted party, as the API takes it: the agent hands the contact over,
// a number (a Teams user's included) takes it.
function partyBody(p) {
  if (p.agentId) return { agentId: p.agentId };
  return p.teamsUserId ? { number: p.number, teamsUserId: p.teamsUserId } : { number: p.number };
}

function renderActive(c) {
  // A success line belongs to the step it reported: the next step of the contact clears it.
  if (model.shownStep !== `${c.id}:${c.state}`) {
    model.shownStep = `${c.id}:${c.state}`;
    for (const id of ['active-feedback', 'target-feedback']) {
      if ($(id).classList.contains('ok')) $(id).textContent = '';
    }
  }
  const words = { Connected: t('contact.Connected'), OnHold: t('contact.OnHold'), Consulting: t('contact.Consulting'),
    Conferenced: t('contact.Conferenced') };
  $('active-text').textContent = `${c.caller}: ${words[c.state] || c.state}`;
  const p = c.party;
  if (!p) model.warnings = [];
  const party = consultedHere(c); // the consulted agent: they can only leave
  $('active-party').textContent = party ? t('desktop.consultedBy', { name: team.agentName(c.agentId) }) : partyText(p);
  $('end').textContent = party ? t('desktop.leaveConsult') : t('desktop.end');
  const consulting = c.state === 'Consulting' && !party;
  $('directory-search').hidden = party || !directoryAvailable || !['Connected', 'OnHold'].includes(c.state);
  // While consulting, the consulted party's own buttons: no second search, no empty number.
  $('party-buttons').hidden = !consulting || !p;
  $('target-form').hidden = consulting || party;
  if (consulting && p) {
    const name = partyName(p);
    $('transfer-party').textContent = t('desktop.transferTo', { name });
    $('conference').textContent = p.agentId && !c.partyJoined ? t('desktop.conferenceWhen') : t('desktop.conference');
    $('conference').disabled = Boolean(p.agentId && !c.partyJoined);
    $('cancel-consult').setAttribute('aria-label', t('desktop.cancelConsultWith', { name }));
  }
  const warnings = $('contact-warnings');
  warnings.replaceChildren(...model.warnings.map((w) => el('li', { text: warningText(w) })));
  warnings.hidden = model.warnings.length === 0;
  $('hold').hidden = party || c.state !== 'Connected';
  $('resume').hidden = party || c.state !== 'OnHold';
  $('drop-party').hidden = party || c.state !== 'Conferenced';
  $('consult').hidden = c.state !== 'Connected' && c.state !== 'OnHold';
}

// Once a second (and on every render): the countdown and the clocks. Writes only, no reads of
// layout, so it never forces a reflow.
function tick() {
  const s = model.state;
  if (!s) return;
  const now = serverNow();
  $('state-since').textContent = known(s.since) ? t('desktop.for', { duration: duration((now - Date.parse(s.since)) / 1000) }) : '';
  const c = model.contact;
  if (ringing(s, c)) {
    const total = model.config.ronaTimeoutSeconds;
    const left = Math.max(0, total - (now - Date.parse(c.since)) / 1000);
    const progress = $('offer-progress');
    progress.max = total;
    progress.value = left;
    $('offer-countdown').textContent = t('common.seconds', { n: Math.ceil(left) });
  }
  if (c && s.state === 'Engaged') {
    $('active-duration').textContent = duration((now - Date.parse(c.since)) / 1000);
  }
}

// ---- actions ----

const doneText = (name) => ({ hold: t('desktop.done.hold'), resume: t('desktop.done.resume'),
  conference: t('desktop.done.conference'), 'drop-party': t('desktop.done.dropParty'),
  'cancel-consult': t('desktop.done.cancelConsult'), consult: t('desktop.done.consult'),
  transfer: t('desktop.done.transfer') })[name];

// A warning of the API ({code, message}) in the console's language.
function warningText(w) {
  if (w.code === 'teams_user_busy') return t('desktop.warn.busy', { message: w.message });
  if (w.code === 'presence_unavailable') return t('desktop.warn.presence', { message: w.message });
  return w.message;
}

function contactAction(button, name, body, where) {
  const c = model.contact;
  if (!c) return;
  const path = name === 'cancel-consult' ? 'drop-party' : name;
  act(button, async () => {
    if (body instanceof Error) throw body;
    const r = await post(`/api/v1/contacts/${c.id}/${path}`, body);
    if (r && r.contact) applyContact(r.contact);
  }, { feedback: $(where), done: doneText(name) });
}

function targetBody() {
  const form = $('target-form');
  if (form.kind.value === 'agent') {
    const id = Number.parseInt($('target-agent').value, 10);
    return Number.isFinite(id) ? { agentId: id } : new Error(t('desktop.chooseAgent'));
  }
  return { number: form.target.value.trim() };
}

// The directory's Consult / Transfer: the server dials the Teams user's business phone and may
// warn (busy in Teams, presence unreadable); a refusal (409 not dialable, connector not Active)
// rejects, and the directory shows its message.
async function toTeamsUser(user, action) {
  const c = model.contact;
  if (!c) throw new Error(t('desktop.contactEnded'));
  const r = await post(`/api/v1/contacts/${c.id}/${action}`, { teamsUserId: user.id });
  model.partyNames.set(user.id, user.displayName);
  model.warnings = (r && r.warnings) || [];
  if (model.warnings.length) {
    $('offer-announce').textContent = model.warnings.map(warningText).join(' ');
  }
  if (r && r.contact) applyContact(r.contact);
}

function wire() {
  $('desktop-login').addEventListener('click', (e) =>
    act(e.currentTarget, async () => applyState((await post('/api/v1/me/session')).state),
      feedback('state-feedback')));
  $('desktop-logout').addEventListener('click', (e) =>
    act(e.currentTarget, async () => applyState((await del('/api/v1/me/session')).state),
      feedback('state-feedback')));
  $('rona-available').addEventListener('click', (e) =>
    act(e.currentTarget, async () => applyState((await put('/api/v1/me/state', { state: 'Available' })).state),
      feedback('state-feedback')));
  $('state-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const v = $('state-select').value;
    const body = v === 'available' ? { state: 'Available' }
      : { state: 'Idle', idleCodeId: Number.parseInt(v.slice(5), 10) };
    act(e.submitter, async () => applyState((await put('/api/v1/me/state', body)).state),
      feedback('state-feedback'));
  });
  for (const name of ['accept', 'decline']) {
    $(name).addEventListener('click', (e) => contactAction(e.currentTarget, name, undefined, 'offer-feedback'));
  }
  for (const name of ['hold', 'resume', 'conference', 'drop-party', 'cancel-consult', 'end']) {
    $(name).addEventListener('click', (e) => contactAction(e.currentTarget, name, undefined, 'active-feedback'));
  }
  $('transfer-party').addEventListener('click', (e) => {
    const c = model.contact;
    if (c && c.party) contactAction(e.currentTarget, 'transfer', partyBody(c.party), 'active-feedback');
  });
  const form = $('target-form');
  form.addEventListener('change', (e) => {
    if (e.target.name !== 'kind') return;
    const agent = form.kind.value === 'agent';
    $('number-field').hidden = agent;
    $('agent-field').hidden = !agent;
    if (agent) team.refresh();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const which = e.submitter ? e.submitter.value : 'consult';
    contactAction(e.submitter, which, targetBody(), 'target-feedback');
  });
  const search = $('directory-search');
  search.addEventListener('click', () => {
    const c = model.contact;
    // Consulting first is how a conference starts (Conference then joins the consulted party).
    const actions = c && c.state === 'Consulting' ? [{ value: 'transfer', label: t('desktop.transfer') }]
      : [{ value: 'consult', label: t('desktop.consult') }, { value: 'transfer', label: t('desktop.transfer') }];
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
    }, feedback('wrapup-feedback'));
  });
}

async function main() {
  model.me = await startPage(['agent']);
  wire();
  wireAlerts({ soundBox: $('sound-on'), allowButton: $('notify-allow'), status: $('notify-status') });
  try {
    model.config = await loadDesktopConfig();
    team.nameQueues(model.config.queues);
  } catch (e) {
    showError(errorText(e));
  }
  team.start(() => model.state && model.state.state !== 'LoggedOut');
  const stream = new EventStream({ onEvent, onResync: snapshot, onStatus: showConnection,
    onRefused: checkSession });
  stream.start();
  setInterval(tick, 250);
}

main();
