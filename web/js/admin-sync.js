// Presence sync on the connector's details page: its status and health (GET
// /api/v1/connectors/msteams/presence-sync, polled every 2 s while the page is visible, with a
// progress bar while the first sync runs) and the sync accounts that change notifications are
// subscribed with (list, sign-in in a popup, remove). docs/api.md "Presence sync",
// "Sync accounts".

import { del, get, post } from './api.js';
import { blockedNotice, PopupBlockedError, runPopupFlow } from './popup.js';
import { dateTime, errorText, number, t } from './i18n.js';
import { serverText } from './server-text.js';
import { act, el } from './shell.js';
import { announce, confirmDialog, table } from './ui.js';

const when = (iso) => (iso ? dateTime(new Date(iso)) : '—');

const kBase = '/api/v1/connectors/msteams';
const kPollMs = 2000;

// ---- status ----

function healthOf(s) {
  if (!s.running) return { level: 'off', text: t('sync.health.off') };
  if (!s.firstSync.completedAt) return { level: 'busy', text: t('sync.health.first') };
  const failures = s.counts.readFailures + s.counts.writeFailures;
  if (s.coverage) return { level: 'warn', text: t('sync.health.limits', { coverage: serverText(s.coverage, s.coverageCode) }) };
  if (failures > 0) {
    return { level: 'warn', text: t('sync.health.failures', { reads: number(s.counts.readFailures),
      writes: number(s.counts.writeFailures) }) };
  }
  return { level: 'ok', text: t('sync.health.ok') };
}

function statusNodes(s) {
  const health = healthOf(s);
  const nodes = [el('p', { class: `health ${health.level}`, id: 'sync-health' },
    el('strong', { text: t('sync.healthLabel') }), health.text)];
  if (s.running) {
    const total = s.watchedUsers;
    const done = Math.max(0, total - s.firstSync.pending);
    if (!s.firstSync.startedAt) {
      // Sync has just been switched on: who to read is being worked out (an indeterminate bar).
      const bar = el('progress', { id: 'first-sync-progress' });
      nodes.push(el('p', {}, el('label', { for: 'first-sync-progress', text: t('sync.firstLabel') }), bar,
        ` ${t('sync.firstFinding')}`));
    } else if (!s.firstSync.completedAt) {
      const bar = el('progress', { id: 'first-sync-progress', max: String(Math.max(total, 1)), value: String(done) });
      nodes.push(el('p', {}, el('label', { for: 'first-sync-progress', text: t('sync.firstLabel') }), bar,
        ` ${t('sync.firstProgress', { done: number(done), total: number(total) })}`));
    } else {
      const text = s.firstSync.millis !== undefined
        ? t('sync.firstDoneIn', { when: when(s.firstSync.completedAt), ms: number(s.firstSync.millis), total: number(total) })
        : t('sync.firstDone', { when: when(s.firstSync.completedAt), total: number(total) });
      nodes.push(el('p', { id: 'first-sync-done', text }));
    }
  }
  const facts = el('dl', { class: 'facts' });
  const add = (k, v) => facts.append(el('dt', { text: k }), el('dd', { text: String(v) }));
  add(t('sync.linked'), number(s.linkedAgents));
  add(t('sync.watched'), number(s.watchedUsers));
  add(t('sync.every'), t('common.seconds', { n: number(Number((s.roundIntervalMillis / 1000).toFixed(1))) }));
  add(t('sync.subscriptions'), s.subscriptions.count
    ? t('sync.subscriptions.value', { n: number(s.subscriptions.count), when: when(s.subscriptions.nextExpiry) }) : t('sync.none'));
  add(t('sync.reads'), [s.counts.reads, s.counts.readFailures, s.counts.throttled].map(number).join(' / '));
  add(t('sync.writes'), [s.counts.writes, s.counts.writeFailures].map(number).join(' / '));
  add(t('sync.notifications'), number(s.counts.notifications));
  add(t('sync.waiting'), number(s.inboxAwaiting));
  nodes.push(facts);
  return nodes;
}

// Fills card and keeps it fresh; returns {stop, refresh}: stop ends the polling, refresh
// reads the status at once (after a change the admin made).
export function renderPresenceSync(card) {
  const body = el('div', { id: 'presence-sync-status' }, el('p', { class: 'muted', text: t('common.loading') }));
  card.replaceChildren(el('h2', { id: 'c-sync', text: t('sync.title') }), body);
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
          if (lastHealth) announce(t('sync.announce', { health: h }));
          lastHealth = h;
        }
      } catch (e) {
        if (stopped) return;
        body.replaceChildren(el('p', { class: 'error', text: t('sync.unavailable', { error: errorText(e) }) }));
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
  return a.health.state === 'healthy' ? t('accounts.healthy')
    : t('accounts.failed', { reason: a.health.reason ? serverText(a.health.reason, a.health.reasonCode) : t('accounts.signInAgain') });
}

export async function renderSyncAccounts(card, connector) {
  const active = connector.status === 'Active';
  const outcome = el('div', { 'aria-live': 'polite' });
  const signIn = el('button', { type: 'button', class: 'primary', text: t('accounts.signIn'),
    disabled: !active, 'aria-describedby': 'accounts-help' });
  const listBox = el('div', {}, el('p', { class: 'muted', text: t('common.loading') }));
  card.replaceChildren(el('h2', { id: 'c-accounts', text: t('accounts.title') }),
    el('p', { id: 'accounts-help', class: 'muted', text: active ? t('accounts.help') : t('accounts.helpInactive') }),
    listBox, el('div', { class: 'buttons' }, signIn), outcome);

  const reload = async () => {
    try {
      const { items } = await get(`${kBase}/sync-accounts`);
      if (!items.length) {
        listBox.replaceChildren(el('p', { text: t('accounts.none') }));
        return;
      }
      listBox.replaceChildren(table([
        [t('accounts.account'), (a) => a.upn],
        [t('common.name'), (a) => a.displayName],
        [t('accounts.health'), healthText],
        [t('accounts.refreshed'), (a) => when(a.health.lastRefreshedAt)],
        [t('accounts.added'), (a) => when(a.addedAt)],
        [t('common.actions'), (a) => el('button', { type: 'button', text: t('common.remove'),
          'aria-label': t('accounts.remove.label', { upn: a.upn }), onclick: () => removeAccount(a, reload) })],
      ], items, { label: t('accounts.title') }));
    } catch (e) {
      listBox.replaceChildren(el('p', { class: 'error', text: errorText(e) }));
    }
  };
  const run = async () => {
    signIn.disabled = true;
    outcome.replaceChildren(el('p', { text: t('accounts.waiting') }));
    try {
      const r = await runPopupFlow('ccteams-sync-account',
        async () => (await post(`${kBase}/sync-accounts/sign-in`)).authorizationUrl,
        (d) => d.type === 'ccteams.syncAccount.signIn');
      if (r.message && r.message.ok) {
        const a = r.message.account;
        const text = r.message.replaced ? t('accounts.signedInAgain', { upn: a.upn }) : t('accounts.addedText', { upn: a.upn });
        outcome.replaceChildren(el('p', { class: 'ok', text }));
        announce(text);
      } else if (r.message) {
        const e = r.message.error || {};
        outcome.replaceChildren(el('p', { class: 'error', text: serverText(e.message, e.messageCode) }));
      } else {
        outcome.replaceChildren(el('p', { class: 'muted', text: t('accounts.closed') }));
      }
      await reload();
    } catch (e) {
      if (e instanceof PopupBlockedError) outcome.replaceChildren(blockedNotice(el, run));
      else outcome.replaceChildren(el('p', { class: 'error', text: errorText(e) }));
    } finally {
      signIn.disabled = !active;
    }
  };
  signIn.addEventListener('click', run);
  await reload();
}

async function removeAccount(a, reload) {
  const ok = await confirmDialog({
    title: t('accounts.remove.title', { upn: a.upn }),
    content: [el('p', { text: t('accounts.remove.text') })],
    confirmLabel: t('accounts.remove.button'),
    danger: true,
    onConfirm: () => del(`${kBase}/sync-accounts/${a.id}`),
  });
  if (ok) {
    announce(t('accounts.removed', { upn: a.upn }));
    await act(null, reload);
  }
}
