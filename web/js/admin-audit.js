// The organisation's audit log (GET /api/v1/connectors/msteams/audit), newest first, one page
// at a time: "Older entries" asks for the page before the last one shown (nextBefore). Each
// entry is said in plain words ("admin set agent1 to Idle: Lunch") with the server's own detail
// kept beside it; the machine name of the action stays in data-action.

import { get } from './api.js';
import { dateTime, number, t } from './i18n.js';
import { serverText } from './server-text.js';
import { act, el } from './shell.js';

const kPageSize = 25;

// Names the audit details use by id: agents and idle codes, read once per page view.
async function loadNames() {
  const [agents, codes] = await Promise.all([get('/api/v1/agents').catch(() => ({ items: [] })),
    get('/api/v1/idle-codes').catch(() => ({ items: [] }))]);
  return {
    agent: (id) => (agents.items.find((a) => a.userId === Number(id)) || {}).username || t('audit.agentN', { id }),
    code: (id) => (codes.items.find((c) => c.id === Number(id)) || {}).name || t('audit.codeN', { id }),
  };
}

function stateWords(status, code, names) {
  switch (status) {
    case 'Available': return t('state.Available');
    case 'Idle': return code ? t('state.idleWith', { code: names.code(code) }) : t('state.Idle');
    case 'LoggedOut': return t('state.LoggedOut');
    default: return status;
  }
}

// What happened, as a sentence; the detail (the server's words) stays in its own column.
export function auditText(e, names) {
  const who = e.actor ? e.actor.username : t('audit.system');
  const failed = e.result !== 'ok';
  const d = e.detail || '';
  switch (e.action) {
    case 'authorize': return failed ? t('audit.authorize.failed', { who }) : t('audit.authorize', { who });
    case 'sign-in': return failed ? t('audit.signIn.failed', { who }) : t('audit.signIn', { who });
    case 'callback': {
      if (failed) return t('audit.callback.failed', { who });
      const m = /consented by (\S+)/.exec(d);
      return m ? t('audit.callback.by', { who, upn: m[1] }) : t('audit.callback', { who });
    }
    case 'update': return failed ? t('audit.update.failed', { who }) : t('audit.update', { who });
    case 'deactivate': return t('audit.deactivate', { who });
    case 'reactivate': return failed ? t('audit.reactivate.failed', { who }) : t('audit.reactivate', { who });
    case 'delete': return failed ? t('audit.delete.failed', { who }) : t('audit.delete', { who });
    case 'authorization error': return t('audit.authorizationError');
    case 'sync_account.add': return t('audit.syncAdd', { who });
    case 'sync_account.sign_in': return t('audit.syncSignIn.failed', { who });
    case 'sync_account.remove': return failed ? t('audit.syncRemove.failed', { who }) : t('audit.syncRemove', { who });
    case 'sync_account.token': return failed ? t('audit.syncToken.failed') : t('audit.syncToken');
    case 'agent.state': {
      const m = /^agent (\d+) to (\w+)(?: \(idle code (\d+)\))?/.exec(d);
      if (!m) break;
      const args = { who, agent: names.agent(m[1]), state: stateWords(m[2], m[3], names) };
      return failed ? t('audit.agentState.failed', args) : t('audit.agentState', args);
    }
    case 'contact.force_end':
    case 'contact.requeue': {
      const m = /^contact (\d+)/.exec(d);
      const args = { who, id: m ? m[1] : '?' };
      if (e.action === 'contact.requeue') return failed ? t('audit.requeue.failed', args) : t('audit.requeue', args);
      return failed ? t('audit.forceEnd.failed', args) : t('audit.forceEnd', args);
    }
    default: break;
  }
  return failed ? t('audit.other.failed', { who, action: e.action }) : t('audit.other', { who, action: e.action });
}

function row(e, names) {
  return el('tr', { 'data-result': e.result, 'data-action': e.action },
    el('th', { scope: 'row', text: e.at ? dateTime(new Date(e.at)) : '—' }),
    el('td', { text: e.actor ? e.actor.username : t('audit.system') }),
    el('td', { text: auditText(e, names) }),
    el('td', { text: e.result === 'ok' ? t('audit.ok') : t('audit.error') }),
    el('td', { class: 'detail', text: serverText(e.detail, e.detailCode) }));
}

export async function renderAudit(view) {
  const body = el('tbody');
  const more = el('button', { type: 'button', text: t('audit.older') });
  const count = el('p', { class: 'muted', 'aria-live': 'polite' });
  const feedback = el('p', { class: 'feedback', role: 'status' });
  const names = await loadNames();
  let before = null;
  let shown = 0;
  const load = async () => {
    const q = new URLSearchParams({ limit: String(kPageSize) });
    if (before !== null) q.set('before', String(before));
    const page = await get(`/api/v1/connectors/msteams/audit?${q}`);
    body.append(...page.items.map((e) => row(e, names)));
    shown += page.items.length;
    before = page.nextBefore ?? null;
    more.hidden = before === null;
    count.textContent = !shown ? t('audit.empty')
      : before === null ? t('audit.shownAll', { n: number(shown) }) : t('audit.shown', { n: number(shown) });
  };
  more.addEventListener('click', () => act(more, load, { feedback }));
  await load();
  view.replaceChildren(el('section', { class: 'card', 'aria-labelledby': 'audit-title' },
    el('h2', { id: 'audit-title', text: t('audit.title') }),
    el('p', { class: 'muted', text: t('audit.help') }),
    el('div', { class: 'scroll-x' }, el('table', { class: 'grid', id: 'audit' },
      el('thead', {}, el('tr', {}, ...[t('audit.when'), t('audit.who'), t('audit.what'), t('audit.result'), t('audit.detail')]
        .map((h) => el('th', { scope: 'col', text: h })))),
      body)),
    count, more, feedback));
}
