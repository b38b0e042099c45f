// A supervisor's way out for an agent (docs/api.md "Supervisors"): change their state
// (Available, Idle with a code) or log them out, through PUT /api/v1/agents/{id}/state with
// origin `supervisor`, which presence sync never undoes. A confirmation dialog says what will
// happen; the outcome (or the API's refusal) is shown beside the button that started it.

import { put } from './api.js';
import { stateText } from './format.js';
import { el } from './shell.js';
import { confirmDialog, field } from './ui.js';

// The agent's action cell: a "Change state…" button and its result line.
export function actionCell(agent, { idleCodes, onState }) {
  const result = el('span', { class: 'result', role: 'status' });
  const button = el('button', { type: 'button', class: 'small', text: 'Change state…',
    'aria-label': `Change the state of ${agent.name}` });
  button.addEventListener('click', () => changeState(agent, idleCodes(), button, result, onState));
  return el('div', { class: 'actions' }, button, result);
}

async function changeState(agent, idleCodes, button, result, onState) {
  const select = el('select', {});
  const now = agent.state || {};
  const options = [{ value: 'Available', label: 'Available' }];
  for (const c of idleCodes) options.push({ value: `idle:${c.id}`, label: `Idle: ${c.name}` });
  options.push({ value: 'LoggedOut', label: 'Log out of the desktop' });
  select.replaceChildren(...options.map((o) => el('option', { value: o.value, text: o.label })));
  select.value = now.state === 'Available' ? 'LoggedOut' : 'Available';
  const busy = now.state === 'Reserved' || now.state === 'Engaged';
  const notes = [el('p', { text: `${agent.name} is now ${stateText(now)}.` }),
    field('New state', select),
    el('p', { class: 'muted', text: 'Presence sync does not undo a supervisor\'s change.' })];
  if (busy) {
    notes.push(el('p', { class: 'notice warn', text: `${agent.name} has a contact: only Log out is ` +
      'possible now, and it puts the contact back in its queue at its old place.' }));
    select.value = 'LoggedOut';
  }
  const ok = await confirmDialog({ title: `Change the state of ${agent.name}`, content: notes,
    confirmLabel: 'Change state' });
  if (!ok) return;
  const v = select.value;
  const body = v === 'Available' || v === 'LoggedOut' ? { state: v }
    : { state: 'Idle', idleCodeId: Number.parseInt(v.slice(5), 10) };
  button.disabled = true;
  result.className = 'result';
  result.textContent = 'Changing…';
  try {
    const r = await put(`/api/v1/agents/${agent.id}/state`, body);
    if (r && r.state) onState(agent.id, r.state);
    result.className = 'result ok';
    result.textContent = `Done: ${stateText(r && r.state)}.`;
  } catch (e) {
    result.className = 'result error';
    result.textContent = `Not changed: ${e.message}`;
  } finally {
    button.disabled = false;
    // Disabling the button moved focus away: bring it back where the dialog returned it.
    if (document.activeElement === document.body && button.isConnected) button.focus();
  }
}
