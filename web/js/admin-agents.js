// Agents (docs/api.md "Contact center configuration"): each with their desktop profile, queues,
// state, Teams presence, presence sync state and linked Teams user. "Link to a Teams user…"
// searches the Teams directory (directory.js) and stores the chosen user with
// PATCH /api/v1/agents/{id} {"teamsUserId"}; "Unlink" stores null.

import { get, patch } from './api.js';
import { section } from './admin-config.js';
import { openDirectory } from './directory.js';
import { originTextFor, presenceText, stateText } from './format.js';
import { dateTime, errorText, t } from './i18n.js';
import { act, el } from './shell.js';
import { announce, table } from './ui.js';

// The names of Teams users linked from this page (the agent list carries only the id).
const linkedNames = new Map();

function syncState(agent, profile, state) {
  if (!agent.teamsUserId) return t('agents.sync.notLinked');
  if (profile && !profile.microsoftTeams) return t('agents.sync.teamsOff');
  const p = state && state.teamsPresence;
  if (!p) return t('agents.sync.notSeen');
  return t('agents.sync.seen', { when: dateTime(new Date(p.seenAt)),
    channel: p.channel === 'notification' ? t('agents.sync.notification') : t('agents.sync.bulk') });
}

function teamsUserCell(a, reload) {
  const feedback = el('span', { class: 'feedback', role: 'status' });
  const label = a.teamsUserId
    ? (linkedNames.has(a.teamsUserId) ? `${linkedNames.get(a.teamsUserId)} (${a.teamsUserId})` : a.teamsUserId) : '—';
  const link = el('button', { type: 'button', class: 'small',
    text: a.teamsUserId ? t('agents.link.change') : t('agents.link'),
    'aria-label': t('agents.link.label', { name: a.username }) });
  link.addEventListener('click', () => openDirectory({
    title: t('agents.link.title', { name: a.username }),
    actions: [{ value: 'link', label: t('agents.link.pick'), anyUser: true }],
    onPick: async (user) => {
      await patch(`/api/v1/agents/${a.userId}`, { teamsUserId: user.id });
      linkedNames.set(user.id, user.displayName);
      announce(t('agents.linked', { agent: a.username, user: user.displayName }));
      reload();
    },
  }));
  const nodes = [el('span', { class: 'teams-user', text: label }), ' ', link];
  if (a.teamsUserId) {
    const unlink = el('button', { type: 'button', class: 'small', text: t('agents.unlink'),
      'aria-label': t('agents.unlink.label', { name: a.username }) });
    unlink.addEventListener('click', () => act(unlink, async () => {
      await patch(`/api/v1/agents/${a.userId}`, { teamsUserId: null });
      announce(t('agents.unlinked', { agent: a.username }));
      reload();
    }, { feedback }));
    nodes.push(' ', unlink);
  }
  return el('div', { class: 'buttons tight' }, ...nodes, feedback);
}

export async function renderAgents(view) {
  const [agents, profiles, queues, states] = await Promise.all([get('/api/v1/agents'),
    get('/api/v1/desktop-profiles'), get('/api/v1/queues'), get('/api/v1/agents/states')]);
  const reload = () => renderAgents(view).catch((e) => view.replaceChildren(
    el('p', { class: 'error', text: errorText(e) })));
  const profileOf = new Map(profiles.items.map((p) => [p.id, p]));
  const queueName = new Map(queues.items.map((q) => [q.id, q.name]));
  const stateOf = new Map(states.items.map((s) => [s.agentId, s.state]));
  view.replaceChildren(section('s-agents', t('nav.agents'),
    el('p', { class: 'muted', text: t('agents.help') }),
    table([
      [t('agents.agent'), (a) => a.username],
      [t('agents.profile'), (a) => (profileOf.get(a.desktopProfileId) || {}).name || '—'],
      [t('agents.queues'), (a) => a.queueIds.map((id) => queueName.get(id) || `#${id}`).join(t('common.listSep')) || '—'],
      [t('agents.teamsUser'), (a) => teamsUserCell(a, reload)],
      [t('agents.state'), (a) => {
        const s = stateOf.get(a.userId);
        const why = originTextFor(s);
        return s ? `${stateText(s)}${why ? ` (${why})` : ''}` : '—';
      }],
      [t('agents.presence'), (a) => presenceText(stateOf.get(a.userId) && stateOf.get(a.userId).teamsPresence)],
      [t('agents.sync'), (a) => syncState(a, profileOf.get(a.desktopProfileId), stateOf.get(a.userId))],
    ], agents.items, { label: t('nav.agents'), rowAttrs: (a) => ({ 'data-agent': a.username }) })));
}
