// The connector's presence mapping (docs/api.md "Presence mapping"): which Teams presence puts
// an Available agent into which idle code. Rules are edited locally (idle code per rule, add,
// remove) and saved together with one PATCH; the server checks them and names a refused rule.
// Leaving with unsaved changes asks first (setLeaveGuard: admin.js's hash routes and the
// browser's own beforeunload).

import { patch } from './api.js';
import { words } from './format.js';
import { t } from './i18n.js';
import { act, el } from './shell.js';
import { announce } from './ui.js';

// Graph's values (src/core/presence.cpp), in the order Teams lists them.
const kAvailabilities = ['Available', 'AvailableIdle', 'Away', 'BeRightBack', 'Busy', 'BusyIdle',
  'DoNotDisturb', 'Offline', 'PresenceUnknown'];
const kActivities = ['Available', 'Away', 'BeRightBack', 'Busy', 'DoNotDisturb', 'InACall',
  'InAConferenceCall', 'Inactive', 'InAMeeting', 'Offline', 'OffWork', 'OutOfOffice',
  'PresenceUnknown', 'Presenting', 'UrgentInterruptionsOnly', 'Focusing'];

export function ruleText(r) {
  return r.activity ? `${words(r.availability)} / ${words(r.activity)}`
    : t('mapping.anyActivityOf', { availability: words(r.availability) });
}

function option(value, text, selected) {
  const o = el('option', { value, text });
  if (selected) o.selected = true;
  return o;
}

export function renderMapping(card, model, allCodes, changed, setLeaveGuard = () => {}) {
  // System codes (RONA) and inactive ones cannot be mapped (the server refuses them).
  const codes = allCodes.filter((c) => !c.system && c.active !== false);
  let rules = model.connector.presenceMapping.map((r) => ({ ...r }));
  const body = el('tbody');
  const dirtyNote = el('p', { class: 'muted', 'aria-live': 'polite' });
  const save = el('button', { type: 'submit', class: 'primary', text: t('mapping.save') });
  const reset = el('button', { type: 'button', text: t('mapping.undo') });
  const feedback = el('p', { class: 'feedback', role: 'status' });
  const markDirty = () => {
    const same = JSON.stringify(rules) === JSON.stringify(model.connector.presenceMapping);
    dirtyNote.textContent = same ? '' : t('mapping.unsaved');
    save.disabled = same;
    reset.disabled = same;
  };
  const codeSelect = (selectedId, label) => {
    const s = el('select', { 'aria-label': label },
      ...codes.map((c) => option(String(c.id), c.name, c.id === selectedId)));
    if (!codes.some((c) => c.id === selectedId)) {
      s.prepend(option(String(selectedId), t('mapping.codeN', { id: selectedId }), true));
    }
    return s;
  };
  const draw = () => {
    body.replaceChildren(...rules.map((r, i) => {
      const text = ruleText(r);
      const select = codeSelect(r.idleCodeId, t('mapping.codeFor', { rule: text }));
      select.addEventListener('change', () => {
        rules[i].idleCodeId = Number(select.value);
        markDirty();
      });
      const remove = el('button', { type: 'button', text: t('common.remove'), 'aria-label': t('mapping.remove.label', { rule: text }) });
      remove.addEventListener('click', () => {
        rules.splice(i, 1);
        draw();
        markDirty();
        announce(t('mapping.removed', { rule: text }));
        (body.querySelector('select') || add).focus();
      });
      return el('tr', { 'data-rule': `${r.availability}/${r.activity || ''}` },
        el('th', { scope: 'row', text }), el('td', {}, select), el('td', {}, remove));
    }));
  };

  const newAvail = el('select', { id: 'map-new-availability' },
    ...kAvailabilities.map((a) => option(a, words(a), a === 'DoNotDisturb')));
  const newActivity = el('select', { id: 'map-new-activity' }, option('', t('mapping.anyActivity'), true),
    ...kActivities.map((a) => option(a, words(a), false)));
  const newCode = el('select', { id: 'map-new-code' }, ...codes.map((c) => option(String(c.id), c.name, false)));
  const add = el('button', { type: 'button', text: t('mapping.add') });
  add.addEventListener('click', () => {
    const rule = { availability: newAvail.value, activity: newActivity.value || null,
      idleCodeId: Number(newCode.value) };
    const i = rules.findIndex((r) => r.availability === rule.availability && r.activity === rule.activity);
    if (i >= 0) rules[i] = rule;
    else rules.push(rule);
    draw();
    markDirty();
    announce(t('mapping.added', { rule: ruleText(rule) }));
  });
  reset.addEventListener('click', () => {
    rules = model.connector.presenceMapping.map((r) => ({ ...r }));
    draw();
    markDirty();
  });

  const form = el('form', { 'aria-labelledby': 'c-mapping' },
    el('table', { class: 'grid', id: 'presence-mapping' },
      el('caption', { class: 'visually-hidden', text: t('mapping.caption') }),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: t('mapping.presence') }),
        el('th', { scope: 'col', text: t('mapping.code') }), el('th', { scope: 'col', text: t('mapping.rule') }))),
      body),
    el('fieldset', { class: 'inline' }, el('legend', { text: t('mapping.addLegend') }),
      el('label', { for: 'map-new-availability', text: t('mapping.availability') }), newAvail,
      el('label', { for: 'map-new-activity', text: t('mapping.activity') }), newActivity,
      el('label', { for: 'map-new-code', text: t('mapping.code') }), newCode, add),
    el('div', { class: 'buttons' }, save, reset), feedback, dirtyNote);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    act(save, async () => {
      const next = await patch('/api/v1/connectors/msteams', { presenceMapping: rules });
      model.connector = next;
      rules = next.presenceMapping.map((r) => ({ ...r }));
      draw();
      markDirty();
      changed(next, { keepFeatures: true });
      announce(t('mapping.saved'));
    }, { feedback }).then(markDirty); // act re-enables the button; only unsaved changes may keep it enabled
  });
  card.replaceChildren(el('h2', { id: 'c-mapping', text: t('mapping.title') }),
    el('p', { class: 'muted', text: t('mapping.help') }),
    form);
  draw();
  markDirty();
  setLeaveGuard(() => JSON.stringify(rules) !== JSON.stringify(model.connector.presenceMapping));
}
