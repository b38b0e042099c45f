// Tenant settings > Integrations > Connectors: the Microsoft Teams card (Set up, Authorize in
// a popup, Close), and its details page (desktop features, presence mapping, presence sync
// status, sync accounts, Deactivate / Reactivate / Delete). docs/api.md "Microsoft Teams
// connector" is the contract; every refusal is shown in the API's own words.

import { del, get, patch, post } from './api.js';
import { renderMapping } from './admin-mapping.js';
import { renderPresenceSync, renderSyncAccounts } from './admin-sync.js';
import { blockedNotice, PopupBlockedError, runPopupFlow } from './popup.js';
import { act, el, showError } from './shell.js';
import { announce, checkbox, confirmDialog, when } from './ui.js';

const kPath = '/api/v1/connectors/msteams';

export const kStatusWords = {
  NotConfigured: 'Not set up',
  Authorizing: 'Authorization started',
  Active: 'Active',
  Inactive: 'Inactive',
  AuthorizationError: 'Authorization error',
};

export function statusBadge(status) {
  return el('span', { class: 'badge status', 'data-status': status, text: kStatusWords[status] || status });
}

// ---- Connectors tab ----

export async function renderConnectors(view) {
  const { items } = await get('/api/v1/connectors');
  const cards = items.map((c) => connectorCard(c, () => renderConnectors(view)));
  view.replaceChildren(
    el('p', { class: 'muted', text: 'Connectors link the contact center to your other services.' }),
    el('div', { class: 'connector-cards' }, ...cards),
    el('p', {}, el('a', { href: '#audit', text: 'Connector audit log' })));
}

function connectorCard(c, refresh) {
  const headingId = `connector-${c.type}`;
  const actions = el('div', { class: 'buttons' });
  if (c.status === 'NotConfigured' || c.status === 'Authorizing' || c.status === 'AuthorizationError') {
    actions.append(el('button', { type: 'button', class: 'primary', text: 'Set up',
      onclick: () => setupDialog(c, refresh) }));
  }
  if (c.status !== 'NotConfigured') {
    actions.append(el('a', { class: 'button', href: `#connectors/${c.type}`, text: 'View/Edit details' }));
  }
  const lines = [el('p', { class: 'muted', text:
    'Search Teams users during a contact, consult and transfer to them, and keep agent states in step with Teams presence.' })];
  if (c.tenantId) lines.push(el('p', { text: `Tenant ${c.tenantId}` }));
  if (c.lastError) lines.push(el('p', { class: 'error', text: c.lastError }));
  return el('section', { class: 'card connector-card', 'aria-labelledby': headingId, 'data-connector': c.type },
    el('h2', { id: headingId, text: c.name }),
    el('p', {}, el('span', { class: 'muted', text: 'Status: ' }), statusBadge(c.status)),
    ...lines, actions);
}

// The Set up dialog: explains what consent grants and who may give it, opens Microsoft's
// consent in a popup on Authorize, and shows the outcome; "Close" once the connector exists.
// onDone() runs when the dialog closes (the caller refreshes what it shows).
export function setupDialog(connector, onDone) {
  const opener = document.activeElement;
  const outcome = el('div', { class: 'outcome', 'aria-live': 'polite' });
  const authorize = el('button', { type: 'button', class: 'primary', text: 'Authorize' });
  const close = el('button', { type: 'button', text: 'Cancel' });
  const dialog = el('dialog', { class: 'dialog', 'aria-labelledby': 'setup-title' },
    el('h2', { id: 'setup-title', text: 'Set up Microsoft Teams' }),
    el('p', { text: 'Authorize opens Microsoft sign-in in a pop-up window. Sign in with an account ' +
      'of your Microsoft 365 tenant that is a Global Administrator or Privileged Role ' +
      'Administrator, and accept the permissions the contact center asks for.' }),
    el('p', { class: 'muted', text: 'The consent adds the contact center as an enterprise application ' +
      'in Microsoft Entra ID. Nothing is changed in the contact center until consent is accepted.' }),
    outcome,
    el('div', { class: 'buttons' }, authorize, close));
  document.body.append(dialog);
  let finished = false;
  const end = () => {
    dialog.close();
    dialog.remove();
    if (opener && opener.isConnected) opener.focus();
    onDone();
  };
  close.addEventListener('click', end);
  dialog.addEventListener('cancel', (e) => { e.preventDefault(); end(); });

  const say = (text, cls = '') => outcome.replaceChildren(el('p', { class: cls, text }));
  const succeeded = (text) => {
    finished = true;
    outcome.replaceChildren(el('p', { class: 'ok' }, statusBadge('Active'), ' ', text));
    authorize.hidden = true;
    close.textContent = 'Close';
    close.classList.add('primary');
    close.focus();
    announce('Microsoft Teams is connected: the connector is Active.');
  };
  const run = async () => {
    if (finished) return;
    authorize.disabled = true;
    say('Waiting for Microsoft sign-in and consent in the pop-up window…');
    try {
      const r = await runPopupFlow('ccteams-msteams-consent',
        async () => (await post(`${kPath}/authorize`)).authorizationUrl,
        (d) => d.type === 'ccteams-connector');
      if (r.message && r.message.status === 'Active') {
        succeeded(r.message.message);
      } else if (r.message) {
        say(r.message.message, 'error');
      } else {
        // Closed without a message: maybe consent went through anyway (a reload of the page).
        const now = await get(kPath);
        if (now.status === 'Active') succeeded('Microsoft Teams is connected.');
        else say('The Microsoft window was closed before consent finished. Select Authorize to start again.', 'error');
      }
    } catch (e) {
      if (e instanceof PopupBlockedError) outcome.replaceChildren(blockedNotice(el, run));
      else say(e.message, 'error');
    } finally {
      authorize.disabled = false;
    }
  };
  authorize.addEventListener('click', run);
  dialog.showModal();
  authorize.focus();
  return dialog;
}

// ---- Details ----

export async function renderConnectorDetails(view) {
  const [connector, codes] = await Promise.all([get(kPath), get('/api/v1/idle-codes')]);
  if (connector.status === 'NotConfigured') {
    view.replaceChildren(el('p', { text: 'Microsoft Teams is not set up.' }),
      el('p', {}, el('a', { href: '#connectors', text: 'Back to Connectors to set it up' })));
    return undefined;
  }
  const stops = [];
  const model = { connector };
  const statusCard = el('section', { class: 'card', 'aria-labelledby': 'c-status' });
  const featuresCard = el('section', { class: 'card', 'aria-labelledby': 'c-features' });
  const mappingCard = el('section', { class: 'card', 'aria-labelledby': 'c-mapping' });
  const syncCard = el('section', { class: 'card', 'aria-labelledby': 'c-sync' });
  const accountsCard = el('section', { class: 'card', 'aria-labelledby': 'c-accounts' });
  // keepFeatures: the toggles themselves caused the change; re-rendering them would drop focus.
  let syncStatus = null;
  const changed = (c, { keepFeatures = false } = {}) => {
    model.connector = c;
    renderStatus(statusCard, model, changed, view);
    if (!keepFeatures) renderFeatures(featuresCard, model, changed);
    renderSyncAccounts(accountsCard, c);
    if (syncStatus) syncStatus.refresh();
  };
  renderStatus(statusCard, model, changed, view);
  renderFeatures(featuresCard, model, changed);
  renderMapping(mappingCard, model, codes.items, changed);
  syncStatus = renderPresenceSync(syncCard);
  stops.push(syncStatus.stop);
  renderSyncAccounts(accountsCard, connector);
  view.replaceChildren(statusCard, featuresCard, syncCard, mappingCard, accountsCard,
    el('p', {}, el('a', { href: '#audit', text: 'Audit log of the connector' })));
  return () => stops.forEach((s) => s());
}

function dl(pairs) {
  const list = el('dl', { class: 'facts' });
  for (const [k, v] of pairs) list.append(el('dt', { text: k }), el('dd', {}, v instanceof Node ? v : String(v)));
  return list;
}

function renderStatus(card, model, changed, view) {
  const c = model.connector;
  const buttons = el('div', { class: 'buttons' });
  const lifecycle = (label, path, text) => el('button', { type: 'button', text: label, onclick: (e) =>
    act(e.currentTarget, async () => {
      changed(await post(`${kPath}/${path}`));
      announce(text);
    }) });
  if (c.status === 'Active') buttons.append(lifecycle('Deactivate', 'deactivate', 'The connector is Inactive.'));
  if (c.status === 'Inactive') buttons.append(lifecycle('Reactivate', 'reactivate', 'The connector is Active again.'));
  if (c.status === 'Authorizing' || c.status === 'AuthorizationError') {
    buttons.append(el('button', { type: 'button', class: 'primary', text: 'Set up again',
      onclick: () => setupDialog(c, async () => changed(await get(kPath))) }));
  }
  const note = el('p', { id: 'delete-note', class: 'muted', text: c.status === 'Active'
    ? 'Deactivate the connector before deleting it.' : 'Deleting removes every Microsoft Teams feature of the contact center.' });
  const remove = el('button', { type: 'button', class: 'danger', text: 'Delete', 'aria-describedby': 'delete-note',
    disabled: c.status === 'Active', onclick: () => deleteConnector(view) });
  buttons.append(remove);
  card.replaceChildren(
    el('h2', { id: 'c-status', text: 'Connector' }),
    dl([
      ['Status', statusBadge(c.status)],
      ['Tenant', c.tenantId || '—'],
      ['Authorized by', c.authorizedBy ? c.authorizedBy.username : '—'],
      ['Consented in Microsoft by', c.authorizedByEntra
        ? `${c.authorizedByEntra.userPrincipalName} (object id ${c.authorizedByEntra.objectId})` : '—'],
      ['Authorized at', when(c.authorizedAt)],
      ['Granted permissions', c.grantedPermissions.length ? c.grantedPermissions.join(', ') : '—'],
      ['Last changed', when(c.updatedAt)],
    ]),
    ...(c.lastError ? [el('p', { class: 'error', text: c.lastError })] : []),
    buttons, note);
}

async function deleteConnector(view) {
  let answer = null;
  const ok = await confirmDialog({
    title: 'Delete the Microsoft Teams connector?',
    confirmLabel: 'Delete connector',
    danger: true,
    content: [
      el('p', { text: 'This removes every Microsoft Teams feature of the contact center: the ' +
        'Teams directory, presence sync and its subscriptions, the sync accounts, and the app\'s ' +
        'Teams presence sessions.' }),
      el('p', { class: 'strong', text: 'The enterprise application stays in Microsoft Entra ID: ' +
        'an administrator must remove it there (Microsoft Entra admin center > Enterprise applications).' }),
    ],
    onConfirm: async () => { answer = await del(kPath); },
  });
  if (!ok || !answer) return;
  announce('The Microsoft Teams connector is deleted.');
  view.replaceChildren(el('section', { class: 'card', 'aria-labelledby': 'deleted-title', id: 'delete-result' },
    el('h2', { id: 'deleted-title', text: 'Microsoft Teams connector deleted' }),
    el('p', {}, el('span', { class: 'muted', text: 'Status: ' }), statusBadge(answer.status)),
    el('h3', { text: 'Removed' }),
    el('ul', { class: 'removed' }, ...(answer.removed || []).map((r) => el('li', { text: r }))),
    el('p', { class: 'notice warn', text: answer.message }),
    el('p', {}, el('a', { href: '#connectors', text: 'Back to Connectors' }))));
  view.querySelector('h2').setAttribute('tabindex', '-1');
  view.querySelector('h2').focus();
}

function renderFeatures(card, model, changed) {
  const c = model.connector;
  const make = (key, label, help) => {
    const box = checkbox(label, c[key], { name: key, 'aria-describedby': `help-${key}` });
    box.input.addEventListener('change', async () => {
      const want = box.input.checked;
      box.input.disabled = true;
      try {
        showError('');
        const next = await patch(kPath, { [key]: want });
        changed(next, { keepFeatures: true });
        announce(`${label} is ${want ? 'on' : 'off'}.`);
      } catch (e) {
        box.input.checked = !want;
        showError(e.message);
      } finally {
        box.input.disabled = false;
      }
    });
    return el('div', { class: 'switch' }, box.node, el('p', { id: `help-${key}`, class: 'muted', text: help }));
  };
  card.replaceChildren(
    el('h2', { id: 'c-features', text: 'Desktop features' }),
    make('showUserDetails', 'Show user details',
      'Agents see Teams presence, job title and department when they search the Teams directory.'),
    make('presenceSync', 'Presence sync',
      'Agent states follow Teams presence (through the mapping below), and a contact shows the agent as In a call in Teams.'));
}
