// A supervisor's way out for an agent (docs/api.md "Supervisors"): change their state
// (Available, Idle with a code) or log them out, through PUT /api/v1/agents/{id}/state with
// origin `supervisor`, which presence sync never undoes. A confirmation dialog says what will
// happen; the outcome (or the API's refusal) is shown beside the button that started it.

import { put } from './api.js';
import { stateText } from './format.js';
import { errorText, t } from './i18n.js';
import { el } from './shell.js';
import { confirmDialog, field } from './ui.js';

// The agent's action cell: a "Change state…" button and its result line.
export function actionCell(agent, { idleCodes, onState }) {
  const result = el('span', { class: 'result', role: 'status' });
  const button = el('button', { type: 'button', class: 'small', text: t('sup.change'),
    'aria-label': t('sup.change.label', { name: agent.name }) });
  button.addEventListener('click', () => changeState(agent, idleCodes(), button, result, onState));
  return el('div', { class: 'actions' }, button, result);
}

async function changeState(agent, idleCodes, button, result, onState) {
  const select = el('select', {});
  const now = agent.state || {};
  const options = [{ value: 'Available', label: t('state.Available') }];
  for (const c of idleCodes) options.push({ value: `idle:${c.id}`, label: t('state.idleWith', { code: c.name }) });
  options.push({ value: 'LoggedOut', label: t('desktop.logout') });
  select.replaceChildren(...options.map((o) => el('option', { value: o.value, text: o.label })));
  select.value = now.state === 'Available' ? 'LoggedOut' : 'Available';
  const busy = now.state === 'Reserved' || now.state === 'Engaged';
  const notes = [el('p', { text: t('sup.change.now', { name: agent.name, state: stateText(now) }) }),
    field(t('sup.change.new'), select),
    el('p', { class: 'muted', text: t('sup.change.sync') })];
  if (busy) {
    notes.push(el('p', { class: 'notice warn', text: t('sup.change.busy', { name: agent.name }) }));
    select.value = 'LoggedOut';
  }
  const ok = await confirmDialog({ title: t('sup.change.label', { name: agent.name }), content: notes,
    confirmLabel: t('sup.change.button') });
  if (!ok) return;
  const v = select.value;
  const body = v === 'Available' || v === 'LoggedOut' ? { state: v }
    : { state: 'Idle', idleCodeId: Number.parseInt(v.slice(5), 10) };
  button.disabled = true;
  result.className = 'result';
  result.textContent = t('sup.change.changing');
  try {
    const r = await put(`/api/v1/agents/${agent.id}/state`, body);
    if (r && r.state) onState(agent.id, r.state);
    result.className = 'result ok';
    result.textContent = t('sup.change.done', { state: stateText(r && r.state) });
  } catch (e) {
    result.className = 'result error';
    result.textContent = t('sup.change.failed', { error: errorText(e) });
  } finally {
    button.disabled = false;
    // Disabling the button moved focus away: bring it back where the dialog returned it.
    if (document.activeElement === document.body && button.isConnected) button.focus();
  }
}
