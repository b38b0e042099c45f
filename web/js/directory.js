// The Teams directory search on the agent desktop (GET /api/v1/directory/teams-users, docs/api.md
// "Teams directory"): a modal dialog with a search field; results show Teams presence as a
// dot and in words, job title and department (when the connector's Show user details is on),
// the business phone, and for users who cannot be dialed the reason and disabled buttons.
//
// openDirectory({actions, onPick}) shows it; actions are the buttons each dialable result gets
// ([{value:'consult', label:'Consult'}, …]); onPick(user, action) runs the chosen action (async;
// a rejection's message is shown in the dialog, which stays open). Resolves when it closes.
// A user whose Teams presence is Busy or Do not disturb is not dialled at once: the agent is
// asked "call anyway?" first, in the words the list shows for the presence.

import { ApiError, get } from './api.js';
import { presenceText } from './format.js';
import { el } from './shell.js';
import { confirmDialog } from './ui.js';

export const directoryAvailable = true;

const kDebounceMs = 250;
const kAskFirst = new Set(['Busy', 'BusyIdle', 'DoNotDisturb']);

// true when the call may go ahead: at once for a free expert, after "Call anyway" otherwise.
function callAnyway(u, action) {
  const p = u.presence;
  if (!p || !kAskFirst.has(p.availability)) return Promise.resolve(true);
  return confirmDialog({ title: `${u.displayName} is ${presenceText(p)}`, confirmLabel: `${action.label} anyway`,
    content: [el('p', { class: 'presence' },
      el('span', { class: 'dot', 'data-availability': p.availability, 'aria-hidden': 'true' }),
      `Teams shows ${u.displayName} as ${presenceText(p)}. Call anyway?`)] });
}
const kPageSize = 20;

function presenceNode(p) {
  if (!p) return el('span', { class: 'detail', text: 'Presence unknown' },);
  return el('span', { class: 'presence' },
    el('span', { class: 'dot', 'data-availability': p.availability, 'aria-hidden': 'true' }),
    presenceText(p));
}

function searchError(e) {
  if (e instanceof ApiError && e.status === 503) {
    const wait = e.retryAfterSeconds ? ` Try again in ${e.retryAfterSeconds} s.` : '';
    return `${e.message}${wait}`;
  }
  return e.message;
}

export function openDirectory({ actions, onPick }) {
  const opener = document.activeElement;
  const input = el('input', { id: 'directory-q', type: 'search', autocomplete: 'off', maxlength: '200',
    placeholder: 'Name, department or job title' });
  const results = el('ul', { class: 'directory-results', id: 'directory-results', 'aria-label': 'Teams users' });
  const status = el('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  const more = el('button', { type: 'button', text: 'More results', hidden: true });
  const close = el('button', { type: 'button', text: 'Close' });
  const form = el('form', { role: 'search', class: 'inline' },
    el('label', { for: 'directory-q', text: 'Search Teams users' }), input,
    el('button', { type: 'submit', class: 'primary', text: 'Search' }));
  const dialog = el('dialog', { class: 'dialog directory', 'aria-labelledby': 'directory-title' },
    el('h2', { id: 'directory-title', text: 'Teams directory' }), form, status, error, results,
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
    who.append(el('div', { class: 'detail', text: u.phone ? `Phone ${u.phone}` : (u.mail || u.userPrincipalName || '') }));
    if (!u.dialable) who.append(el('div', { class: 'reason', text: u.notDialableReason || 'This user cannot be dialed.' }));
    const buttons = el('div', { class: 'buttons tight' }, ...actions.map((a) => {
      const b = el('button', { type: 'button', text: a.label, 'aria-label': `${a.label} ${u.displayName}`,
        disabled: !u.dialable });
      b.addEventListener('click', async () => {
        showErrorText('');
        if (!(await callAnyway(u, a))) return;
        b.disabled = true;
        try {
          await onPick(u, a.value);
          finish();
        } catch (e) {
          showErrorText(e.message);
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
    status.textContent = 'Searching…';
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
      if (!page.showUserDetails) notes.push('presence, job titles and departments are hidden by the connector settings');
      if (page.presenceUnavailable) notes.push('Teams presence could not be read just now');
      status.textContent = (page.total === 0 ? `No Teams users match "${query}".`
        : `${shown} of ${page.total} Teams users.`) + (notes.length ? ` Note: ${notes.join('; ')}.` : '');
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
      status.textContent = 'Type a name, department or job title.';
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
  status.textContent = 'Type a name, department or job title.';
  return closed;
}
