// The agent's team on the desktop (GET /api/v1/me/team): the other agents with their states,
// for the consult / transfer picker, and the agent's own queues with their waiting customers.
// Agents get no events about others, so it is read every few seconds while logged in, and at
// once when the picker opens.

import { get } from './api.js';
import { duration, stateText } from './format.js';
import { number, t } from './i18n.js';
import { el } from './shell.js';

const kEveryMs = 5000;
const $ = (id) => document.getElementById(id);

export class Team {
  constructor({ onError }) {
    this.agents = [];
    this.queues = [];
    this.names = new Map(); // queue id -> name (the desktop's own queues first)
    this.onError = onError;
    this.timer = 0;
    this.loaded = false;
  }

  nameQueues(queues) {
    for (const q of queues) this.names.set(q.id ?? q.queueId, q.name);
  }

  queueName(id) {
    return this.names.get(id) || t('desktop.queueN', { id });
  }

  agentName(id) {
    const a = this.agents.find((x) => x.agentId === id);
    return a ? a.displayName || a.username : t('desktop.agentN', { id });
  }

  // Reads while `active()` is true, every kEveryMs.
  start(active) {
    const loop = async () => {
      if (active()) await this.refresh();
      this.timer = setTimeout(loop, kEveryMs);
    };
    loop();
  }

  async refresh() {
    try {
      const t = await get('/api/v1/me/team');
      this.agents = t.agents;
      this.queues = t.queues;
      this.nameQueues(t.queues);
      this.loaded = true;
      this.render();
    } catch (e) {
      this.onError(e);
    }
  }

  render() {
    const section = $('my-queues');
    section.hidden = this.queues.length === 0;
    const body = $('my-queues-table').tBodies[0];
    body.replaceChildren(...this.queues.map((q) => el('tr', { 'data-queue-id': q.queueId },
      el('th', { scope: 'row', text: q.name }),
      el('td', { 'data-field': 'waiting', text: number(q.waiting), class: q.waiting ? 'strong' : '' }),
      el('td', { text: q.waiting ? duration(q.longestWaitSeconds) : '—' }),
      el('td', { text: number(q.availableAgents) }))));
    this.renderPicker();
  }

  // The picker: every other agent with their state in words; only Available ones can be picked
  // (the API refuses the others), the rest are listed, disabled, so the agent sees why.
  renderPicker() {
    const select = $('target-agent');
    const keep = select.value;
    const order = (a) => (a.state.state === 'Available' ? 0 : a.state.state === 'LoggedOut' ? 2 : 1);
    const agents = [...this.agents].sort((x, y) => order(x) - order(y) ||
      (x.displayName || x.username).localeCompare(y.displayName || y.username));
    const options = agents.map((a) => el('option', { value: String(a.agentId),
      text: `${a.displayName || a.username} — ${stateText(a.state)}`,
      disabled: a.state.state !== 'Available' }));
    if (!agents.some((a) => a.state.state === 'Available')) {
      options.unshift(el('option', { value: '', text: t('desktop.noAgent') }));
    }
    select.replaceChildren(...options);
    if ([...select.options].some((o) => o.value === keep && !o.disabled)) select.value = keep;
  }
}
