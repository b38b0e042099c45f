// Desktop profiles (docs/api.md "Contact center configuration"): the collaboration app —
// Microsoft Teams or Webex App, one of them per profile as the vendor allows, so a radio pair —
// switched in the table, and an Edit dialog for the name, RONA timeout, wrap-up and the idle
// codes the profile's agents may choose (none ticked: all). Refusals show beside the control.

import { get, patch, post } from './api.js';
import { createForm, deleteButton, section } from './admin-config.js';
import { errorText, number, t } from './i18n.js';
import { act, el } from './shell.js';
import { announce, confirmDialog, field } from './ui.js';

let groups = 0;

// The exclusive app choice: {node, teams()} — teams() is true when Microsoft Teams is chosen.
function appChoice(p, { onChange, labelFor } = {}) {
  const name = `app-${++groups}`;
  const radio = (value, label, checked) => {
    const input = el('input', { type: 'radio', name, value });
    input.checked = checked;
    if (labelFor) input.setAttribute('aria-label', labelFor(label));
    if (onChange) input.addEventListener('change', () => onChange(input));
    return { input, node: el('label', { class: 'check' }, input, ' ' + label) };
  };
  const teams = radio('teams', t('profiles.teams'), Boolean(p.microsoftTeams));
  const webex = radio('webex', t('profiles.webex'), !p.microsoftTeams && Boolean(p.webexApp));
  return { teams, webex, chosen: () => (teams.input.checked ? 'teams' : webex.input.checked ? 'webex' : null) };
}

const apps = (choice) => ({ microsoftTeams: choice === 'teams', webexApp: choice === 'webex' });

function seconds(n) {
  return t('common.seconds', { n: number(n) });
}

// The Edit dialog; resolves true when saved.
async function editProfile(p, codes) {
  const name = el('input', { value: p.name, required: true, autocomplete: 'off', maxlength: '80' });
  const rona = el('input', { type: 'number', min: '5', max: '300', value: String(p.ronaTimeoutSeconds), required: true });
  const wrap = el('input', { type: 'number', min: '0', max: '900', value: String(p.wrapUpSeconds), required: true });
  const choice = appChoice(p);
  const pickable = codes.filter((c) => !c.system);
  const boxes = pickable.map((c) => {
    const input = el('input', { type: 'checkbox', value: String(c.id) });
    input.checked = p.allowedIdleCodeIds.includes(c.id);
    return { input, node: el('label', { class: 'check' }, input, ' ' + c.name) };
  });
  return confirmDialog({
    title: t('profiles.edit.title', { name: p.name }),
    confirmLabel: t('common.save'),
    content: [
      field(t('common.name'), name),
      field(t('profiles.rona'), rona),
      field(t('profiles.wrapUp'), wrap),
      el('fieldset', { class: 'checks' }, el('legend', { text: t('profiles.app') }), choice.teams.node, choice.webex.node,
        el('p', { class: 'muted', text: t('profiles.app.help') })),
      el('fieldset', { class: 'checks' }, el('legend', { text: t('profiles.codes') }),
        ...boxes.map((b) => b.node), el('p', { class: 'muted', text: t('profiles.codes.help') })),
    ],
    onConfirm: () => patch(`/api/v1/desktop-profiles/${p.id}`, {
      name: name.value.trim(), ronaTimeoutSeconds: Number(rona.value), wrapUpSeconds: Number(wrap.value),
      ...apps(choice.chosen()),
      allowedIdleCodeIds: boxes.filter((b) => b.input.checked).map((b) => Number(b.input.value)),
    }),
  });
}

function codesText(p, codeName) {
  if (!p.allowedIdleCodeIds.length) return t('profiles.codes.all');
  return p.allowedIdleCodeIds.map(codeName).join(t('common.listSep'));
}

export async function renderProfiles(view) {
  const [{ items }, codes] = await Promise.all([get('/api/v1/desktop-profiles'), get('/api/v1/idle-codes')]);
  const codeName = (id) => (codes.items.find((c) => c.id === id) || { name: `#${id}` }).name;
  const reload = () => renderProfiles(view).catch((e) => view.replaceChildren(
    el('p', { class: 'error', text: errorText(e) })));
  const row = (p) => {
    const feedback = el('span', { class: 'feedback', role: 'status' });
    const choice = appChoice(p, {
      labelFor: (label) => t('profiles.appFor', { app: label, name: p.name }),
      onChange: (input) => act(null, async () => {
        const want = input.value;
        try {
          const next = await patch(`/api/v1/desktop-profiles/${p.id}`, apps(want));
          Object.assign(p, next);
          announce(t('profiles.appSet', { app: want === 'teams' ? t('profiles.teams') : t('profiles.webex'), name: p.name }));
        } catch (e) {
          choice.teams.input.checked = Boolean(p.microsoftTeams);
          choice.webex.input.checked = !p.microsoftTeams && Boolean(p.webexApp);
          throw e;
        }
      }, { feedback }),
    });
    const edit = el('button', { type: 'button', text: t('profiles.edit'), 'aria-label': t('profiles.edit.label', { name: p.name }),
      onclick: async () => {
        if (await editProfile(p, codes.items)) {
          announce(t('profiles.saved', { name: p.name }));
          reload();
        }
      } });
    return { choice, feedback, edit };
  };
  const rows = new Map(items.map((p) => [p.id, row(p)]));
  const name = el('input', { name: 'name', required: true, autocomplete: 'off' });
  const rona = el('input', { name: 'rona', type: 'number', min: '5', max: '300', value: '15', required: true });
  const wrap = el('input', { name: 'wrap', type: 'number', min: '0', max: '900', value: '0', required: true });
  const newChoice = appChoice({ microsoftTeams: true });
  const form = createForm(t('profiles.new'), [[t('common.name'), name], [t('profiles.rona'), rona],
    [t('profiles.wrapUp'), wrap]], t('profiles.create'), async () => {
    const p = await post('/api/v1/desktop-profiles', { name: name.value.trim(), ...apps(newChoice.chosen()),
      ronaTimeoutSeconds: Number(rona.value), wrapUpSeconds: Number(wrap.value) });
    announce(t('profiles.created', { name: p.name }));
    reload();
  });
  form.querySelector('.inline').insertBefore(el('fieldset', { class: 'field checks' },
    el('legend', { text: t('profiles.app') }), newChoice.teams.node, newChoice.webex.node),
  form.querySelector('button[type=submit]'));
  const head = [t('common.name'), t('profiles.app'), t('profiles.rona'), t('profiles.wrapUp'), t('profiles.codes'),
    t('common.actions')];
  const body = el('tbody', {}, ...items.map((p) => {
    const r = rows.get(p.id);
    return el('tr', { 'data-profile': p.name },
      el('th', { scope: 'row', text: p.name }),
      el('td', {}, el('div', { class: 'app-choice', role: 'radiogroup', 'aria-label': t('profiles.appFor.group', { name: p.name }) },
        r.choice.teams.node, r.choice.webex.node), r.feedback),
      el('td', { text: seconds(p.ronaTimeoutSeconds) }),
      el('td', { text: seconds(p.wrapUpSeconds) }),
      el('td', { text: codesText(p, codeName) }),
      el('td', {}, el('span', { class: 'buttons tight' }, r.edit,
        deleteButton(t('profiles.delete.label', { name: p.name }), t('profiles.delete.title', { name: p.name }),
          `/api/v1/desktop-profiles/${p.id}`, reload))));
  }));
  view.replaceChildren(section('s-desktop-profiles', t('nav.profiles'),
    el('p', { class: 'muted', text: t('profiles.help') }),
    el('table', { class: 'grid', 'aria-label': t('nav.profiles') },
      el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col', text: h })))), body),
    form));
}
