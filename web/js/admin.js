// The administration page, first part: what the organisation has (users, idle codes, desktop
// profiles, queues, agents), read-only. Editing and the Teams connector's pages come next.

import { get } from './api.js';
import { el, showError, startPage } from './shell.js';

const yesNo = (v) => (v ? 'Yes' : 'No');
// Ids shown by name once every list has loaded (names.codes, names.profiles, names.queues).
const names = { codes: new Map(), profiles: new Map(), queues: new Map() };
const named = (map, id) => map.get(id) || `#${id}`;
const list = (map, v) => (Array.isArray(v) ? (v.length ? v.map((id) => named(map, id)).join(', ') : 'all') : '');

const kSections = [
  { title: 'Users', path: '/api/v1/users', columns: [
    ['Username', (u) => u.username], ['Name', (u) => u.displayName],
    ['Roles', (u) => u.roles.join(', ')], ['Disabled', (u) => yesNo(u.disabled)]] },
  { title: 'Idle codes', path: '/api/v1/idle-codes', columns: [
    ['Name', (c) => c.name], ['Active', (c) => yesNo(c.active)], ['System', (c) => yesNo(c.system)]] },
  { title: 'Desktop profiles', path: '/api/v1/desktop-profiles', columns: [
    ['Name', (p) => p.name], ['Microsoft Teams', (p) => yesNo(p.microsoftTeams)],
    ['Webex App', (p) => yesNo(p.webexApp)], ['RONA timeout', (p) => `${p.ronaTimeoutSeconds} s`],
    ['Wrap-up', (p) => `${p.wrapUpSeconds} s`], ['Idle codes', (p) => list(names.codes, p.allowedIdleCodeIds)]] },
  { title: 'Queues', path: '/api/v1/queues', columns: [['Id', (q) => q.id], ['Name', (q) => q.name]] },
  { title: 'Agents', path: '/api/v1/agents', columns: [
    ['Username', (a) => a.username],
    ['Desktop profile', (a) => (a.desktopProfileId ? named(names.profiles, a.desktopProfileId) : '')],
    ['Queues', (a) => list(names.queues, a.queueIds)], ['Teams user', (a) => a.teamsUserId || '—']] },
];

function table(section, items) {
  const head = el('tr', {}, ...section.columns.map(([name]) => el('th', { scope: 'col', text: name })));
  const rows = items.map((item) => el('tr', {}, ...section.columns.map(([, f], i) =>
    el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row', text: String(f(item)) } : { text: String(f(item)) }))));
  return el('table', { class: 'grid' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

async function main() {
  await startPage(['admin']);
  const root = document.getElementById('sections');
  const results = await Promise.allSettled(kSections.map((s) => get(s.path)));
  const fill = (map, i) => {
    if (results[i].status === 'fulfilled') for (const x of results[i].value.items) map.set(x.id, x.name);
  };
  fill(names.codes, 1);
  fill(names.profiles, 2);
  fill(names.queues, 3);
  results.forEach((r, i) => {
    const s = kSections[i];
    const id = `section-${i}`;
    const body = r.status === 'fulfilled'
      ? table(s, r.value.items || [])
      : el('p', { class: 'error', text: r.reason.message });
    root.append(el('section', { class: 'card', 'aria-labelledby': id },
      el('h2', { id, text: `${s.title}` }), body));
  });
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) showError(failed.reason.message);
}

main();
