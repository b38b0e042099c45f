// Presence sync on the connector's details page: its status and health (GET
// /api/v1/connectors/msteams/presence-sync, polled every 2 s while the page is visible, with a
// progress bar while the first sync runs) and the sync accounts that change notifications are
// subscribed with (list, sign-in in a popup, remove). docs/api.md "Presence sync",
// "Sync accounts".

import { del, get, post } from './api.js';
import { blockedNotice, PopupBlockedError, runPopupFlow } from './popup.js';
import { act, el } from './shell.js';
import { announce, confirmDialog, table, when } from './ui.js';

const kBase = '/api/v1/connectors/msteams';
const kPollMs = 2000;

// ---- status ----

function healthOf(s) {
  if (!s.running) return { level: 'off', text: 'Not running: the connector is not Active or Presence sync is off.' };
  if (!s.firstSync.completedAt) return { level: 'busy', text: 'First sync running.' };
  const failures = s.counts.readFailures + s.counts.writeFailures;
  if (s.coverage) return { level: 'warn', text: `Working with limits: ${s.coverage}` };
  if (failures > 0) {
    return { level: 'warn', text: `Working; ${s.counts.readFailures} failed reads and ${s.counts.writeFailures} failed writes so far.` };
  }
  return { level: 'ok', text: 'Healthy.' };
}

function statusNodes(s) {
  const health = healthOf(s);
  const nodes = [el('p', { class: `health ${health.level}`, id: 'sync-health' },
    el('strong', { text: 'Health: ' }), health.text)];
  if (s.running) {
    const total = s.watchedUsers;
    const done = Math.max(0, total - s.firstSync.pending);
    if (!s.firstSync.startedAt) {
      // Sync has just been switched on: who to read is being worked out (an indeterminate bar).
      const bar = el('progress', { id: 'first-sync-progress' });
      nodes.push(el('p', {}, el('label', { for: 'first-sync-progress', text: 'First sync: ' }), bar,
        ' finding the Teams users to read'));
    } else if (!s.firstSync.completedAt) {
      const bar = el('progress', { id: 'first-sync-progress', max: String(Math.max(total, 1)), value: String(done) });
      nodes.push(el('p', {}, el('label', { for: 'first-sync-progress', text: 'First sync: ' }), bar,
        ` ${done} of ${total} Teams users read`));
    } else {
      const took = s.firstSync.millis !== undefined ? ` in ${s.firstSync.millis} ms` : '';
      nodes.push(el('p', { id: 'first-sync-done', text: `First sync completed at ${when(s.firstSync.completedAt)}${took} (${total} Teams users).` }));
    }
  }
  const facts = el('dl', { class: 'facts' });
  const add = (k, v) => facts.append(el('dt', { text: k }), el('dd', { text: String(v) }));
  add('Linked agents', s.linkedAgents);
  add('Watched Teams users (logged-in agents)', s.watchedUsers);
  add('Bulk read every', `${(s.roundIntervalMillis / 1000).toFixed(1)} s`);
  add('Subscriptions', s.subscriptions.count ? `${s.subscriptions.count}, next expiry ${when(s.subscriptions.nextExpiry)}` : 'none');
  add('Reads / failed / throttled', `${s.counts.reads} / ${s.counts.readFailures} / ${s.counts.throttled}`);
  add('Teams presence writes / failed', `${s.counts.writes} / ${s.counts.writeFailures}`);
  add('Notifications received', s.counts.notifications);
  add('Notifications waiting', s.inboxAwaiting);
  nodes.push(facts);
  return nodes;
}

// Fills card and keeps it fresh; returns {stop, refresh}: stop ends the polling, refresh
// reads the status at once (after a change the admin made).
export function renderPresenceSync(card) {
  const body = el('div', { id: 'presence-sync-status' }, el('p', { class: 'muted', text: 'Loading…' }));
  card.replaceChildren(el('h2', { id: 'c-sync', text: 'Presence sync status' }), body);
  let timer = 0;
  let stopped = false;
  let lastHealth = '';
  const poll = async () => {
    timer = 0;
    if (stopped) return;
    if (document.visibilityState === 'visible') {
      try {
        const s = await get(`${kBase}/presence-sync`);
        if (stopped) return;
        body.replaceChildren(...statusNodes(s));
        const h = healthOf(s).text;
        if (h !== lastHealth) {
          if (lastHealth) announce(`Presence sync: ${h}`);
          lastHealth = h;
        }
      } catch (e) {
        if (stopped) return;
        body.replaceChildren(el('p', { class: 'error', text: `Presence sync status unavailable: ${e.message}` }));
      }
    }
    if (!stopped) timer = setTimeout(poll, kPollMs);
  };
  // Hidden tabs do not poll; coming back shows fresh figures at once.
  const onVisible = () => {
    if (document.visibilityState === 'visible' && timer) {
      clearTimeout(timer);
      poll();
    }
  };
  document.addEventListener('visibilitychange', onVisible);
  poll();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    },
    refresh: () => {
      if (timer) {
        clearTimeout(timer);
        poll();
      }
    },
  };
}

// ---- sync accounts ----

function healthText(a) {
  return a.health.state === 'healthy' ? 'Healthy' : `Failed: ${a.health.reason || 'sign the account in again'}`;
}

export async function renderSyncAccounts(card, connector) {
  const active = connector.status === 'Active';
  const outcome = el('div', { 'aria-live': 'polite' });
  const signIn = el('button', { type: 'button', class: 'primary', text: 'Sign in a sync account',
    disabled: !active, 'aria-describedby': 'accounts-help' });
  const listBox = el('div', {}, el('p', { class: 'muted', text: 'Loading…' }));
  card.replaceChildren(el('h2', { id: 'c-accounts', text: 'Sync accounts' }),
    el('p', { id: 'accounts-help', class: 'muted', text: active
      ? 'Microsoft Graph sends presence change notifications only to a signed-in user: sign in dedicated ' +
        'accounts with the delegated permission Presence.Read.All (multi-factor sign-in is fine). Without one, ' +
        'presence sync uses bulk reads only.'
      : 'Sync accounts can be signed in while the connector is Active.' }),
    listBox, el('div', { class: 'buttons' }, signIn), outcome);

  const reload = async () => {
    try {
      const { items } = await get(`${kBase}/sync-accounts`);
      if (!items.length) {
        listBox.replaceChildren(el('p', { text: 'No sync accounts yet.' }));
        return;
      }
      listBox.replaceChildren(table([
        ['Account', (a) => a.upn],
        ['Name', (a) => a.displayName],
        ['Health', healthText],
        ['Last token refresh', (a) => when(a.health.lastRefreshedAt)],
        ['Added', (a) => when(a.addedAt)],
        ['', (a) => el('button', { type: 'button', text: 'Remove', 'aria-label': `Remove ${a.upn}`,
          onclick: () => removeAccount(a, reload) })],
      ], items, { label: 'Sync accounts' }));
    } catch (e) {
      listBox.replaceChildren(el('p', { class: 'error', text: e.message }));
    }
  };
  const run = async () => {
    signIn.disabled = true;
    outcome.replaceChildren(el('p', { text: 'Waiting for the Microsoft sign-in in the pop-up window…' }));
    try {
      const r = await runPopupFlow('ccteams-sync-account',
        async () => (await post(`${kBase}/sync-accounts/sign-in`)).authorizationUrl,
        (d) => d.type === 'ccteams.syncAccount.signIn');
      if (r.message && r.message.ok) {
        const a = r.message.account;
        const text = `${a.upn} is ${r.message.replaced ? 'signed in again' : 'added as a sync account'}.`;
        outcome.replaceChildren(el('p', { class: 'ok', text }));
        announce(text);
      } else if (r.message) {
        outcome.replaceChildren(el('p', { class: 'error', text: r.message.error.message }));
      } else {
        outcome.replaceChildren(el('p', { class: 'muted', text: 'The sign-in window was closed.' }));
      }
      await reload();
    } catch (e) {
      if (e instanceof PopupBlockedError) outcome.replaceChildren(blockedNotice(el, run));
      else outcome.replaceChildren(el('p', { class: 'error', text: e.message }));
    } finally {
      signIn.disabled = !active;
    }
  };
  signIn.addEventListener('click', run);
  await reload();
}

async function removeAccount(a, reload) {
  const ok = await confirmDialog({
    title: `Remove the sync account ${a.upn}?`,
    content: [el('p', { text: 'Its stored token is deleted and presence sync stops using it for change notifications.' })],
    confirmLabel: 'Remove account',
    danger: true,
    onConfirm: () => del(`${kBase}/sync-accounts/${a.id}`),
  });
  if (ok) {
    announce(`${a.upn} removed.`);
    await act(null, reload);
  }
}
