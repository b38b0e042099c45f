// The Teams connector's audit log (GET /api/v1/connectors/msteams/audit), newest first, one
// page at a time: "Older entries" asks for the page before the last one shown (nextBefore).

import { get } from './api.js';
import { act, el } from './shell.js';
import { when } from './ui.js';

const kPageSize = 25;

function row(e) {
  return el('tr', { 'data-result': e.result },
    el('th', { scope: 'row', text: when(e.at) }),
    el('td', { text: e.actor ? e.actor.username : 'system' }),
    el('td', { text: e.action }),
    el('td', { text: e.result === 'ok' ? 'OK' : 'Error' }),
    el('td', { text: e.detail || '' }));
}

export async function renderAudit(view) {
  const body = el('tbody');
  const more = el('button', { type: 'button', text: 'Older entries' });
  const count = el('p', { class: 'muted', 'aria-live': 'polite' });
  let before = null;
  let shown = 0;
  const load = async () => {
    const q = new URLSearchParams({ limit: String(kPageSize) });
    if (before !== null) q.set('before', String(before));
    const page = await get(`/api/v1/connectors/msteams/audit?${q}`);
    body.append(...page.items.map(row));
    shown += page.items.length;
    before = page.nextBefore ?? null;
    more.hidden = before === null;
    count.textContent = shown ? `${shown} entries shown${before === null ? ' (all)' : ''}.` : 'No entries yet.';
  };
  more.addEventListener('click', () => act(more, load));
  await load();
  view.replaceChildren(el('section', { class: 'card', 'aria-labelledby': 'audit-title' },
    el('h2', { id: 'audit-title', text: 'Microsoft Teams connector audit log' }),
    el('table', { class: 'grid', id: 'audit' },
      el('thead', {}, el('tr', {}, ...['When', 'Who', 'Action', 'Result', 'Detail']
        .map((t) => el('th', { scope: 'col', text: t })))),
      body),
    count, more));
}
