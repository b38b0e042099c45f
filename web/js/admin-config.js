// Contact center configuration (docs/api.md "Contact center configuration"): idle codes
// (create, rename, delete naming every holder), queues, users, and the pieces the other
// configuration sections share (admin-profiles.js, admin-agents.js). Every refusal shows beside
// the control that caused it, in the console's language.

import { ruleText } from './admin-mapping.js';
import { del, get, patch, post } from './api.js';
import { errorText, t } from './i18n.js';
import { act, el } from './shell.js';
import { announce, confirmDialog, field, table, yesNo } from './ui.js';

export function section(id, title, ...children) {
  return el('section', { class: 'card', 'aria-labelledby': id }, el('h2', { id, text: title }), ...children);
}

// A one-line create form: fields [[label, input]], then the button and its feedback line.
export function createForm(legend, fields, label, submit) {
  const button = el('button', { type: 'submit', class: 'primary', text: label });
  const feedback = el('p', { class: 'feedback', role: 'status' });
  const form = el('form', { class: 'create' }, el('fieldset', {}, el('legend', { text: legend }),
    el('div', { class: 'inline' }, ...fields.map(([l, input]) => field(l, input)), button), feedback));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    act(button, () => submit(form), { feedback });
  });
  return form;
}

// Delete with a confirmation; extra: nodes the dialog shows first (who holds the thing).
export function deleteButton(label, title, path, after, extra = () => []) {
  return el('button', { type: 'button', text: t('common.delete'), 'aria-label': label, onclick: async () => {
    const ok = await confirmDialog({ title, confirmLabel: t('common.delete'), danger: true,
      content: [...(await extra()), el('p', { text: t('common.cannotUndo') })], onConfirm: () => del(path) });
    if (ok) {
      announce(t('common.deleted'));
      after();
    }
  } });
}

// ---- idle codes ----

// Everything that holds an idle code, in words: the desktop profiles that allow it and the
// Teams presence mapping's rules (the server's 409 names the same holders).
export async function idleCodeHolders(code) {
  const [profiles, connector] = await Promise.all([get('/api/v1/desktop-profiles'),
    get('/api/v1/connectors/msteams').catch(() => null)]);
  const holders = profiles.items.filter((p) => p.allowedIdleCodeIds.includes(code.id))
    .map((p) => t('idle.holder.profile', { name: p.name }));
  const rules = ((connector && connector.presenceMapping) || []).filter((r) => r.idleCodeId === code.id);
  if (rules.length) {
    holders.push(t('idle.holder.mapping', { rules: rules.map(ruleText).join(t('common.listSep')) }));
  }
  return holders;
}

async function holdersNote(code) {
  let holders;
  try {
    holders = await idleCodeHolders(code);
  } catch (e) {
    return [el('p', { class: 'error', text: errorText(e) })];
  }
  if (!holders.length) return [];
  return [el('p', { class: 'notice warn', text: t('idle.inUse', { name: code.name }) }),
    el('ul', { class: 'holders' }, ...holders.map((h) => el('li', { text: h })))];
}

export async function renderIdleCodes(view) {
  const { items } = await get('/api/v1/idle-codes');
  const reload = () => renderIdleCodes(view).catch((e) => view.replaceChildren(
    el('p', { class: 'error', text: errorText(e) })));
  const rename = async (c) => {
    const input = el('input', { value: c.name, maxlength: '80', required: true, autocomplete: 'off' });
    const ok = await confirmDialog({ title: t('idle.rename.title', { name: c.name }), confirmLabel: t('idle.rename.button'),
      content: [field(t('idle.rename.newName'), input)],
      onConfirm: () => patch(`/api/v1/idle-codes/${c.id}`, { name: input.value.trim() }) });
    if (ok) {
      announce(t('idle.renamed', { name: input.value.trim() }));
      reload();
    }
  };
  const actions = (c) => el('span', { class: 'buttons tight' },
    el('button', { type: 'button', text: t('idle.rename.button'), 'aria-label': t('idle.rename.label', { name: c.name }),
      onclick: () => rename(c) }),
    deleteButton(t('idle.delete.label', { name: c.name }), t('idle.delete.title', { name: c.name }),
      `/api/v1/idle-codes/${c.id}`, reload, () => holdersNote(c)));
  const name = el('input', { name: 'name', maxlength: '80', required: true, autocomplete: 'off' });
  view.replaceChildren(section('s-idle-codes', t('nav.idleCodes'),
    el('p', { class: 'muted', text: t('idle.help') }),
    table([
      [t('common.name'), (c) => c.name], [t('idle.active'), (c) => yesNo(c.active)],
      [t('idle.system'), (c) => yesNo(c.system)],
      [t('common.actions'), (c) => (c.system ? el('span', { class: 'muted', text: t('idle.systemCode') }) : actions(c))],
    ], items, { label: t('nav.idleCodes'), rowAttrs: (c) => ({ 'data-code': c.name }) }),
    createForm(t('idle.new'), [[t('common.name'), name]], t('idle.create'), async () => {
      const c = await post('/api/v1/idle-codes', { name: name.value.trim(), active: true });
      announce(t('idle.created', { name: c.name }));
      reload();
    })));
}

// ---- queues ----

export async function renderQueues(view) {
  const { items } = await get('/api/v1/queues');
  const reload = () => renderQueues(view).catch((e) => view.replaceChildren(
    el('p', { class: 'error', text: errorText(e) })));
  const name = el('input', { name: 'name', required: true, autocomplete: 'off' });
  view.replaceChildren(section('s-queues', t('nav.queues'),
    table([[t('common.name'), (q) => q.name], [t('queues.id'), (q) => q.id],
      [t('common.actions'), (q) => deleteButton(t('queues.delete.label', { name: q.name }),
        t('queues.delete.title', { name: q.name }), `/api/v1/queues/${q.id}`, reload)]],
    items, { label: t('nav.queues') }),
    createForm(t('queues.new'), [[t('common.name'), name]], t('queues.create'), async () => {
      const q = await post('/api/v1/queues', { name: name.value.trim() });
      announce(t('queues.created', { name: q.name }));
      reload();
    })));
}

// ---- users ----

const roleText = (r) => ({ admin: t('role.admin'), supervisor: t('role.supervisor'), agent: t('role.agent') })[r] || r;

export async function renderUsers(view) {
  const { items } = await get('/api/v1/users');
  view.replaceChildren(section('s-users', t('nav.users'), table([
    [t('users.username'), (u) => u.username], [t('common.name'), (u) => u.displayName],
    [t('users.roles'), (u) => u.roles.map(roleText).join(t('common.listSep'))],
    [t('users.disabled'), (u) => yesNo(u.disabled)],
  ], items, { label: t('nav.users') })));
}
