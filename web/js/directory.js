// The Teams directory search on the agent desktop (GET /api/v1/directory/teams-users, docs/api.md
// "Teams directory"): a modal dialog with a search field; results show Teams presence as a
// dot and in words, job title and department (when the connector's Show user details is on),
// the business phone, and for users who cannot be dialed the reason and disabled buttons.
//
// openDirectory({actions, onPick, title}) shows it; actions are the buttons each dialable result
// gets ([{value:'consult', label:'Consult'}, …]; anyUser: also for users who cannot be dialled,
// never asking "call anyway?", as linking an agent does); onPick(user, action) runs the chosen
// action (async; a rejection's message is shown in the dialog, which stays open). Resolves when
// it closes.
// A user whose Teams presence is Busy or Do not disturb is not dialled at once: the agent is
// asked "call anyway?" first, in the words the list shows for the presence.

import { ApiError, get } from './api.js';
import { presenceText } from './format.js';
import { errorText, number, t } from './i18n.js';
import { el } from './shell.js';
import { confirmDialog } from './ui.js';

export const directoryAvailable = true;

const kDebounceMs = 250;
const kAskFirst = new Set(['Busy', 'BusyIdle', 'DoNotDisturb']);

// true when the call may go ahead: at once for a free expert, after "Call anyway" otherwise.
function callAnyway(u, action) {
  const p = u.presence;
  if (action.anyUser || !p || !kAskFirst.has(p.availability)) return Promise.resolve(true);
  return confirmDialog({ title: t('directory.busy.title', { name: u.displayName, presence: presenceText(p) }),
    confirmLabel: t('directory.busy.confirm', { action: action.label }),
    content: [el('p', { class: 'presence' },
      el('span', { class: 'dot', 'data-availability': p.availability, 'aria-hidden': 'true' }),
      t('directory.busy.text', { name: u.displayName, presence: presenceText(p) }))] });
}
const kPageSize = 20;

function presenceNode(p) {
  if (!p) return el('span', { class: 'detail', text: t('directory.presenceUnknown') });
  return el('span', { class: 'presence' },
    el('span', { class: 'dot', 'data-availability': p.availability, 'aria-hidden': 'true' }),
    presenceText(p));
}

// Why a user cannot be dialled, from the machine-readable dialability.
function notDialable(u) {
  if (u.dialability === 'missing') return t('directory.notDialable.missing');
  if (u.dialability === 'not_e164') return t('directory.notDialable.notE164');
  return u.notDialableReason || t('directory.notDialable');
}

function searchError(e) {
  if (e instanceof ApiError && e.status === 503) {
    const wait = e.retryAfterSeconds ? ` ${t('directory.retryIn', { n: number(e.retryAfterSeconds) })}` : '';
    return `${errorText(e)}${wait}`;
  }
  return errorText(e);
}

export function openDirectory({ actions, onPick, title = t('directory.title') }) {
  const opener = document.activeElement;
  const input = el('input', { id: 'directory-q', type: 'search', autocomplete: 'off', maxlength: '200',
    placeholder: t('directory.placeholder') });
  const results = el('ul', { class: 'directory-results', id: 'directory-results', 'aria-label': t('directory.results') });
  const status = el('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  const more = el('button', { type: 'button', text: t('directory.more'), hidden: true });
  const close = el('button', { type: 'button', text: t('common.close') });
  const form = el('form', { role: 'search', class: 'inline' },
    el('label', { for: 'directory-q', text: t('directory.searchLabel') }), input,
    el('button', { type: 'submit', class: 'primary', text: t('directory.search') }));
  const dialog = el('dialog', { class: 'dialog directory', 'aria-labelledby': 'directory-title' },
    el('h2', { id: 'directory-title', text: title }), form, status, error, results,
    el('div', { class: 'buttons' }, more, close));
  document.body.append(dialog);

  let query = '';
  let cursor = null;
  let generation = 0;
  let timer = 0;

  const showErrorText = (text) => {
    error.textContent = text;
    error.hidden = !text;
  };

  const item = (u) => {
    const details = [u.jobTitle, u.department].filter(Boolean).join(' · ');
    const who = el('div', { class: 'who' }, el('strong', { text: u.displayName }));
    if (u.presence !== undefined) who.append(presenceNode(u.presence));
    if (details) who.append(el('span', { class: 'detail', text: ` ${details}` }));
    who.append(el('div', { class: 'detail', text: u.phone ? t('directory.phone', { phone: u.phone }) : (u.mail || u.userPrincipalName || '') }));
    if (!u.dialable) who.append(el('div', { class: 'reason', text: notDialable(u) }));
    const buttons = el('div', { class: 'buttons tight' }, ...actions.map((a) => {
      const b = el('button', { type: 'button', text: a.label, 'aria-label': `${a.label} ${u.displayName}`,
        disabled: !u.dialable && !a.anyUser });
      b.addEventListener('click', async () => {
        showErrorText('');
        if (!(await callAnyway(u, a))) return;
        b.disabled = true;
        try {
          await onPick(u, a.value);
          finish();
        } catch (e) {
          showErrorText(errorText(e));
          b.disabled = false;
        }
      });
      return b;
    }));
    return el('li', { 'data-teams-user': u.id, 'data-dialable': String(u.dialable) }, who, buttons);
  };

  const search = async (append) => {
    const mine = ++generation;
    const q = new URLSearchParams({ q: query, limit: String(kPageSize) });
    if (append && cursor) q.set('cursor', cursor);
    status.textContent = t('directory.searching');
    showErrorText('');
    try {
      const page = await get(`/api/v1/directory/teams-users?${q}`);
      if (mine !== generation) return;
      if (!append) results.replaceChildren();
      results.append(...page.items.map(item));
      cursor = page.nextCursor;
      more.hidden = !cursor;
      const shown = results.children.length;
      const notes = [];
      if (!page.showUserDetails) notes.push(t('directory.note.details'));
      if (page.presenceUnavailable) notes.push(t('directory.note.presence'));
      status.textContent = (page.total === 0 ? t('directory.none', { q: query })
        : t('directory.count', { shown: number(shown), total: number(page.total) })) +
        (notes.length ? ` ${t('directory.note', { notes: notes.join(t('common.clauseSep')) })}` : '');
    } catch (e) {
      if (mine !== generation) return;
      if (!append) results.replaceChildren();
      more.hidden = true;
      status.textContent = '';
      showErrorText(searchError(e));
    }
  };

  const start = () => {
    clearTimeout(timer);
    query = input.value.trim();
    cursor = null;
    if (!query) {
      ++generation;
      results.replaceChildren();
      more.hidden = true;
      status.textContent = t('directory.prompt');
      return;
    }
    search(false);
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(start, kDebounceMs);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    start();
  });
  more.addEventListener('click', () => search(true));

  let resolveClosed;
  const closed = new Promise((r) => { resolveClosed = r; });
  function finish() {
    clearTimeout(timer);
    ++generation;
    if (dialog.open) dialog.close();
    dialog.remove();
    if (opener && opener.isConnected) opener.focus();
    resolveClosed();
  }
  close.addEventListener('click', finish);
  dialog.addEventListener('cancel', (e) => { e.preventDefault(); finish(); });
  dialog.showModal();
  input.focus();
  status.textContent = t('directory.prompt');
  return closed;
}
