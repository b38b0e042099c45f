// The connector's presence mapping (docs/api.md "Presence mapping"): which Teams presence puts
// an Available agent into which idle code. Rules are edited locally (idle code per rule, add,
// remove) and saved together with one PATCH; the server checks them and names a refused rule.

import { patch } from './api.js';
import { words } from './format.js';
import { act, el } from './shell.js';
import { announce } from './ui.js';

// Graph's values (src/core/presence.cpp), in the order Teams lists them.
const kAvailabilities = ['Available', 'AvailableIdle', 'Away', 'BeRightBack', 'Busy', 'BusyIdle',
  'DoNotDisturb', 'Offline', 'PresenceUnknown'];
const kActivities = ['Available', 'Away', 'BeRightBack', 'Busy', 'DoNotDisturb', 'InACall',
  'InAConferenceCall', 'Inactive', 'InAMeeting', 'Offline', 'OffWork', 'OutOfOffice',
  'PresenceUnknown', 'Presenting', 'UrgentInterruptionsOnly', 'Focusing'];

export function ruleText(r) {
  return r.activity ? `${words(r.availability)} / ${words(r.activity)}` : `${words(r.availability)} (any activity)`;
}

function option(value, text, selected) {
  const o = el('option', { value, text });
  if (selected) o.selected = true;
  return o;
}

export function renderMapping(card, model, allCodes, changed) {
  // System codes (RONA) and inactive ones cannot be mapped (the server refuses them).
  const codes = allCodes.filter((c) => !c.system && c.active !== false);
  let rules = model.connector.presenceMapping.map((r) => ({ ...r }));
  const body = el('tbody');
  const dirtyNote = el('p', { class: 'muted', 'aria-live': 'polite' });
  const save = el('button', { type: 'submit', class: 'primary', text: 'Save mapping' });
  const reset = el('button', { type: 'button', text: 'Undo changes' });
  const markDirty = () => {
    const same = JSON.stringify(rules) === JSON.stringify(model.connector.presenceMapping);
    dirtyNote.textContent = same ? '' : 'Unsaved changes.';
    save.disabled = same;
    reset.disabled = same;
  };
  const codeSelect = (selectedId, label) => {
    const s = el('select', { 'aria-label': label },
      ...codes.map((c) => option(String(c.id), c.name, c.id === selectedId)));
    if (!codes.some((c) => c.id === selectedId)) {
      s.prepend(option(String(selectedId), `Idle code ${selectedId}`, true));
    }
    return s;
  };
  const draw = () => {
    body.replaceChildren(...rules.map((r, i) => {
      const text = ruleText(r);
      const select = codeSelect(r.idleCodeId, `Idle code for ${text}`);
      select.addEventListener('change', () => {
        rules[i].idleCodeId = Number(select.value);
        markDirty();
      });
      const remove = el('button', { type: 'button', text: 'Remove', 'aria-label': `Remove the rule for ${text}` });
      remove.addEventListener('click', () => {
        rules.splice(i, 1);
        draw();
        markDirty();
        announce(`Rule for ${text} removed (not saved yet).`);
        (body.querySelector('select') || add).focus();
      });
      return el('tr', { 'data-rule': `${r.availability}/${r.activity || ''}` },
        el('th', { scope: 'row', text }), el('td', {}, select), el('td', {}, remove));
    }));
  };

  const newAvail = el('select', { id: 'map-new-availability' },
    ...kAvailabilities.map((a) => option(a, words(a), a === 'DoNotDisturb')));
  const newActivity = el('select', { id: 'map-new-activity' }, option('', 'Any activity', true),
    ...kActivities.map((a) => option(a, words(a), false)));
  const newCode = el('select', { id: 'map-new-code' }, ...codes.map((c) => option(String(c.id), c.name, false)));
  const add = el('button', { type: 'button', text: 'Add rule' });
  add.addEventListener('click', () => {
    const rule = { availability: newAvail.value, activity: newActivity.value || null,
      idleCodeId: Number(newCode.value) };
    const i = rules.findIndex((r) => r.availability === rule.availability && r.activity === rule.activity);
    if (i >= 0) rules[i] = rule;
    else rules.push(rule);
    draw();
    markDirty();
    announce(`Rule for ${ruleText(rule)} added (not saved yet).`);
  });
  reset.addEventListener('click', () => {
    rules = model.connector.presenceMapping.map((r) => ({ ...r }));
    draw();
    markDirty();
  });

  const form = el('form', { 'aria-labelledby': 'c-mapping' },
    el('table', { class: 'grid', id: 'presence-mapping' },
      el('caption', { class: 'visually-hidden', text: 'Teams presence to idle code' }),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Teams presence' }),
        el('th', { scope: 'col', text: 'Idle code' }), el('th', { scope: 'col', text: 'Rule' }))),
      body),
    el('fieldset', { class: 'inline' }, el('legend', { text: 'Add a rule' }),
      el('label', { for: 'map-new-availability', text: 'Availability' }), newAvail,
      el('label', { for: 'map-new-activity', text: 'Activity' }), newActivity,
      el('label', { for: 'map-new-code', text: 'Idle code' }), newCode, add),
    el('div', { class: 'buttons' }, save, reset), dirtyNote);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    act(save, async () => {
      const next = await patch('/api/v1/connectors/msteams', { presenceMapping: rules });
      model.connector = next;
      rules = next.presenceMapping.map((r) => ({ ...r }));
      draw();
      markDirty();
      changed(next, { keepFeatures: true });
      announce('Presence mapping saved.');
    }).then(markDirty); // act re-enables the button; only unsaved changes may keep it enabled
  });
  card.replaceChildren(el('h2', { id: 'c-mapping', text: 'Presence mapping' }),
    el('p', { class: 'muted', text: 'A Teams change to one of these presences puts an Available agent into its idle code; ' +
      'a rule without an activity covers every activity of that availability.' }),
    form);
  draw();
  markDirty();
}
