// Contact center configuration (docs/api.md "Contact center configuration"): idle codes
// (create, rename, delete), desktop profiles (Microsoft Teams / Webex App toggles, create,
// delete), agents with their linked Teams user and presence sync state, queues, users.
// The server's 409 messages (a code in use, the system code RONA…) are shown as they are.

import { del, get, patch, post } from './api.js';
import { originTextFor, presenceText, stateText } from './format.js';
import { act, el, showError } from './shell.js';
import { announce, checkbox, confirmDialog, field, table, when, yesNo } from './ui.js';

function section(title, ...children) {
  const id = `s-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return el('section', { class: 'card', 'aria-labelledby': id }, el('h2', { id, text: title }), ...children);
}

// A one-line create form: fields [[label, input]], then the button.
function createForm(legend, fields, label, submit) {
  const button = el('button', { type: 'submit', class: 'primary', text: label });
  const form = el('form', { class: 'create' }, el('fieldset', {}, el('legend', { text: legend }),
    el('div', { class: 'inline' }, ...fields.map(([l, input]) => field(l, input)), button)));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    act(button, () => submit(form));
  });
  return form;
}

function deleteButton(what, path, after) {
  return el('button', { type: 'button', text: 'Delete', 'aria-label': `Delete ${what}`, onclick: async () => {
    const ok = await confirmDialog({ title: `Delete ${what}?`, confirmLabel: 'Delete', danger: true,
      content: [el('p', { text: 'This cannot be undone.' })], onConfirm: () => del(path) });
    if (ok) {
      announce(`${what} deleted.`);
      after();
    }
  } });
}

// ---- idle codes ----

export async function renderIdleCodes(view) {
  const { items } = await get('/api/v1/idle-codes');
  const reload = () => renderIdleCodes(view).catch((e) => showError(e.message));
  const rename = async (c) => {
    const input = el('input', { value: c.name, maxlength: '80', required: true, autocomplete: 'off' });
    const ok = await confirmDialog({ title: `Rename the idle code ${c.name}`, confirmLabel: 'Rename',
      content: [field('New name', input)],
      onConfirm: () => patch(`/api/v1/idle-codes/${c.id}`, { name: input.value.trim() }) });
    if (ok) {
      announce(`Idle code renamed to ${input.value.trim()}.`);
      reload();
    }
  };
  const actions = (c) => el('span', { class: 'buttons tight' },
    el('button', { type: 'button', text: 'Rename', 'aria-label': `Rename ${c.name}`, onclick: () => rename(c) }),
    deleteButton(`the idle code ${c.name}`, `/api/v1/idle-codes/${c.id}`, reload));
  const name = el('input', { name: 'name', maxlength: '80', required: true, autocomplete: 'off' });
  view.replaceChildren(section('Idle codes',
    el('p', { class: 'muted', text: 'RONA is the system code for unanswered offers; it cannot be renamed or deleted. ' +
      'A code in use (by a desktop profile or the Teams presence mapping) cannot be deleted.' }),
    table([
      ['Name', (c) => c.name], ['Active', (c) => yesNo(c.active)], ['System', (c) => yesNo(c.system)],
      ['Actions', (c) => (c.system ? el('span', { class: 'muted', text: 'system code' }) : actions(c))],
    ], items, { label: 'Idle codes', rowAttrs: (c) => ({ 'data-code': c.name }) }),
    createForm('New idle code', [['Name', name]], 'Create idle code', async () => {
      const c = await post('/api/v1/idle-codes', { name: name.value.trim(), active: true });
      announce(`Idle code ${c.name} created.`);
      reload();
    })));
}

// ---- desktop profiles ----

export async function renderProfiles(view) {
  const { items } = await get('/api/v1/desktop-profiles');
  const reload = () => renderProfiles(view).catch((e) => showError(e.message));
  const toggle = (p, key, label) => {
    const box = checkbox('', p[key], { 'aria-label': `${label} for ${p.name}` });
    box.input.addEventListener('change', async () => {
      const want = box.input.checked;
      box.input.disabled = true;
      try {
        showError('');
        await patch(`/api/v1/desktop-profiles/${p.id}`, { [key]: want });
        p[key] = want;
        announce(`${label} ${want ? 'on' : 'off'} for ${p.name}.`);
      } catch (e) {
        box.input.checked = !want;
        showError(e.message);
      } finally {
        box.input.disabled = false;
      }
    });
    return box.input;
  };
  const name = el('input', { name: 'name', required: true, autocomplete: 'off' });
  const rona = el('input', { name: 'rona', type: 'number', min: '5', max: '300', value: '15', required: true });
  const wrap = el('input', { name: 'wrap', type: 'number', min: '0', max: '900', value: '0', required: true });
  const teams = checkbox('Microsoft Teams', true);
  const webex = checkbox('Webex App', false);
  const form = createForm('New desktop profile', [['Name', name], ['RONA timeout (s)', rona], ['Wrap-up (s)', wrap]],
    'Create profile', async () => {
      const p = await post('/api/v1/desktop-profiles', { name: name.value.trim(), microsoftTeams: teams.input.checked,
        webexApp: webex.input.checked, ronaTimeoutSeconds: Number(rona.value), wrapUpSeconds: Number(wrap.value) });
      announce(`Desktop profile ${p.name} created.`);
      reload();
    });
  form.querySelector('.inline').insertBefore(el('div', { class: 'field checks' }, teams.node, webex.node),
    form.querySelector('button[type=submit]'));
  view.replaceChildren(section('Desktop profiles',
    el('p', { class: 'muted', text: 'The collaboration app of the profile\'s agents: presence sync and the Teams directory ' +
      'need Microsoft Teams on.' }),
    table([
      ['Name', (p) => p.name],
      ['Microsoft Teams', (p) => toggle(p, 'microsoftTeams', 'Microsoft Teams')],
      ['Webex App', (p) => toggle(p, 'webexApp', 'Webex App')],
      ['RONA timeout', (p) => `${p.ronaTimeoutSeconds} s`],
      ['Wrap-up', (p) => `${p.wrapUpSeconds} s`],
      ['Idle codes', (p) => (p.allowedIdleCodeIds.length ? `${p.allowedIdleCodeIds.length} allowed` : 'all')],
      ['', (p) => deleteButton(`the desktop profile ${p.name}`, `/api/v1/desktop-profiles/${p.id}`, reload)],
    ], items, { label: 'Desktop profiles', rowAttrs: (p) => ({ 'data-profile': p.name }) }),
    form));
}

// ---- agents ----

function syncState(agent, profile, state) {
  if (!agent.teamsUserId) return 'Not linked to a Teams user';
  if (profile && !profile.microsoftTeams) return 'Off: the desktop profile has Microsoft Teams off';
  const p = state && state.teamsPresence;
  if (!p) return 'Linked; no Teams presence seen yet';
  return `Seen ${when(p.seenAt)} (${p.channel === 'notification' ? 'change notification' : 'bulk read'})`;
}

export async function renderAgents(view) {
  const [agents, profiles, queues, states] = await Promise.all([get('/api/v1/agents'),
    get('/api/v1/desktop-profiles'), get('/api/v1/queues'), get('/api/v1/agents/states')]);
  const profileOf = new Map(profiles.items.map((p) => [p.id, p]));
  const queueName = new Map(queues.items.map((q) => [q.id, q.name]));
  const stateOf = new Map(states.items.map((s) => [s.agentId, s.state]));
  view.replaceChildren(section('Agents',
    table([
      ['Agent', (a) => a.username],
      ['Desktop profile', (a) => (profileOf.get(a.desktopProfileId) || {}).name || '—'],
      ['Queues', (a) => a.queueIds.map((id) => queueName.get(id) || `#${id}`).join(', ') || '—'],
      ['Teams user', (a) => a.teamsUserId || '—'],
      ['State', (a) => {
        const s = stateOf.get(a.userId);
        const why = originTextFor(s);
        return s ? `${stateText(s)}${why ? ` (${why})` : ''}` : '—';
      }],
      ['Teams presence', (a) => presenceText(stateOf.get(a.userId) && stateOf.get(a.userId).teamsPresence)],
      ['Presence sync', (a) => syncState(a, profileOf.get(a.desktopProfileId), stateOf.get(a.userId))],
    ], agents.items, { label: 'Agents', rowAttrs: (a) => ({ 'data-agent': a.username }) })));
}

// ---- queues ----

export async function renderQueues(view) {
  const { items } = await get('/api/v1/queues');
  const reload = () => renderQueues(view).catch((e) => showError(e.message));
  const name = el('input', { name: 'name', required: true, autocomplete: 'off' });
  view.replaceChildren(section('Queues',
    table([['Name', (q) => q.name], ['Id', (q) => q.id],
      ['', (q) => deleteButton(`the queue ${q.name}`, `/api/v1/queues/${q.id}`, reload)]],
    items, { label: 'Queues' }),
    createForm('New queue', [['Name', name]], 'Create queue', async () => {
      const q = await post('/api/v1/queues', { name: name.value.trim() });
      announce(`Queue ${q.name} created.`);
      reload();
    })));
}

// ---- users ----

export async function renderUsers(view) {
  const { items } = await get('/api/v1/users');
  view.replaceChildren(section('Users', table([
    ['Username', (u) => u.username], ['Name', (u) => u.displayName],
    ['Roles', (u) => u.roles.join(', ')], ['Disabled', (u) => yesNo(u.disabled)],
  ], items, { label: 'Users' })));
}
