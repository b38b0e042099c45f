// Tenant settings > Integrations > Connectors: the Microsoft Teams card (Set up, Authorize in
// a popup, Close), and its details page (desktop features, presence mapping, presence sync
// status, sync accounts, Deactivate (confirmed first) / Reactivate / Delete). docs/api.md
// "Microsoft Teams connector" is the contract; every refusal shows beside its control.

import { del, get, patch, post } from './api.js';
import { renderMapping } from './admin-mapping.js';
import { renderPresenceSync, renderSyncAccounts } from './admin-sync.js';
import { blockedNotice, PopupBlockedError, runPopupFlow } from './popup.js';
import { dateTime, errorText, t } from './i18n.js';
import { serverText } from './server-text.js';
import { act, el } from './shell.js';
import { announce, checkbox, confirmDialog } from './ui.js';

const kPath = '/api/v1/connectors/msteams';

export function statusText(status) {
  return ({ NotConfigured: t('connector.status.NotConfigured'), Authorizing: t('connector.status.Authorizing'),
    Active: t('connector.status.Active'), Inactive: t('connector.status.Inactive'),
    AuthorizationError: t('connector.status.AuthorizationError') })[status] || status;
}

export function statusBadge(status) {
  return el('span', { class: 'badge status', 'data-status': status, text: statusText(status) });
}

const when = (iso) => (iso ? dateTime(new Date(iso)) : '—');

// The Microsoft Entra account that signed in and consented, in words.
function entraText(c) {
  const e = c.authorizedByEntra;
  return e ? t('connector.entraAccount', { upn: e.userPrincipalName, oid: e.objectId }) : '—';
}

// ---- Connectors tab ----

export async function renderConnectors(view) {
  const { items } = await get('/api/v1/connectors');
  const cards = items.map((c) => connectorCard(c, () => renderConnectors(view)));
  view.replaceChildren(
    el('p', { class: 'muted', text: t('connector.intro') }),
    el('div', { class: 'connector-cards' }, ...cards),
    el('p', {}, el('a', { href: '#audit', text: t('connector.auditLink') })));
}

function connectorCard(c, refresh) {
  const headingId = `connector-${c.type}`;
  const actions = el('div', { class: 'buttons' });
  if (c.status === 'NotConfigured' || c.status === 'Authorizing' || c.status === 'AuthorizationError') {
    actions.append(el('button', { type: 'button', class: 'primary', text: t('connector.setUp'),
      onclick: () => setupDialog(c, refresh) }));
  }
  if (c.status !== 'NotConfigured') {
    actions.append(el('a', { class: 'button', href: `#connectors/${c.type}`, text: t('connector.details') }));
  }
  const lines = [el('p', { class: 'muted', text: t('connector.cardText') })];
  if (c.tenantId) lines.push(el('p', { text: t('connector.tenantN', { tenant: c.tenantId }) }));
  if (c.authorizedByEntra) {
    lines.push(el('p', { class: 'entra', text: t('connector.consentedBy', { upn: c.authorizedByEntra.userPrincipalName }) }));
  }
  if (c.lastError) lines.push(el('p', { class: 'error', text: serverText(c.lastError, c.lastErrorCode) }));
  return el('section', { class: 'card connector-card', 'aria-labelledby': headingId, 'data-connector': c.type },
    el('h2', { id: headingId, text: c.type === 'msteams' ? t('connector.name') : c.name }),
    el('p', {}, el('span', { class: 'muted', text: t('connector.statusLabel') }), statusBadge(c.status)),
    ...lines, actions);
}

// The Set up dialog: explains what consent grants and who may give it, opens Microsoft's
// consent in a popup on Authorize, and shows the outcome; "Close" once the connector exists.
// onDone() runs when the dialog closes (the caller refreshes what it shows).
export function setupDialog(connector, onDone) {
  const opener = document.activeElement;
  const outcome = el('div', { class: 'outcome', 'aria-live': 'polite' });
  const authorize = el('button', { type: 'button', class: 'primary', text: t('connector.authorize') });
  const close = el('button', { type: 'button', text: t('common.cancel') });
  const dialog = el('dialog', { class: 'dialog', 'aria-labelledby': 'setup-title' },
    el('h2', { id: 'setup-title', text: t('connector.setup.title') }),
    el('p', { text: t('connector.setup.text') }),
    el('p', { class: 'muted', text: t('connector.setup.note') }),
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
    close.textContent = t('common.close');
    close.classList.add('primary');
    close.focus();
    announce(t('connector.connectedActive'));
  };
  const run = async () => {
    if (finished) return;
    authorize.disabled = true;
    say(t('connector.waiting'));
    try {
      const r = await runPopupFlow('ccteams-msteams-consent',
        async () => (await post(`${kPath}/authorize`)).authorizationUrl,
        (d) => d.type === 'ccteams-connector');
      if (r.message && r.message.status === 'Active') {
        succeeded(t('connector.connected'));
      } else if (r.message) {
        say(serverText(r.message.message, r.message.messageCode), 'error');
      } else {
        // Closed without a message: maybe consent went through anyway (a reload of the page).
        const now = await get(kPath);
        if (now.status === 'Active') succeeded(t('connector.connected'));
        else say(t('connector.closedEarly'), 'error');
      }
    } catch (e) {
      if (e instanceof PopupBlockedError) outcome.replaceChildren(blockedNotice(el, run));
      else say(errorText(e), 'error');
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

export async function renderConnectorDetails(view, { setLeaveGuard } = {}) {
  const [connector, codes] = await Promise.all([get(kPath), get('/api/v1/idle-codes')]);
  if (connector.status === 'NotConfigured') {
    view.replaceChildren(el('p', { text: t('connector.notSetUp') }),
      el('p', {}, el('a', { href: '#connectors', text: t('connector.backToSetUp') })));
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
  renderMapping(mappingCard, model, codes.items, changed, setLeaveGuard);
  syncStatus = renderPresenceSync(syncCard);
  stops.push(syncStatus.stop);
  renderSyncAccounts(accountsCard, connector);
  view.replaceChildren(statusCard, featuresCard, syncCard, mappingCard, accountsCard,
    el('p', {}, el('a', { href: '#audit', text: t('connector.auditLink') })));
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
  const feedback = el('p', { class: 'feedback', role: 'status' });
  const lifecycle = (label, path, text) => el('button', { type: 'button', text: label, onclick: (e) =>
    act(e.currentTarget, async () => {
      changed(await post(`${kPath}/${path}`));
      announce(text);
    }, { feedback }) });
  if (c.status === 'Active') {
    buttons.append(el('button', { type: 'button', text: t('connector.deactivate'), onclick: async (e) => {
      const button = e.currentTarget;
      const ok = await confirmDialog({ title: t('connector.deactivate.title'), confirmLabel: t('connector.deactivate'),
        danger: true, content: [el('p', { text: t('connector.deactivate.text') }),
          el('p', { class: 'muted', text: t('connector.deactivate.note') })] });
      if (ok) {
        act(button, async () => {
          changed(await post(`${kPath}/deactivate`));
          announce(t('connector.deactivated'));
        }, { feedback });
      }
    } }));
  }
  if (c.status === 'Inactive') buttons.append(lifecycle(t('connector.reactivate'), 'reactivate', t('connector.reactivated')));
  if (c.status === 'Authorizing' || c.status === 'AuthorizationError') {
    buttons.append(el('button', { type: 'button', class: 'primary', text: t('connector.setUpAgain'),
      onclick: () => setupDialog(c, async () => changed(await get(kPath))) }));
  }
  const note = el('p', { id: 'delete-note', class: 'muted', text: c.status === 'Active'
    ? t('connector.delete.deactivateFirst') : t('connector.delete.note') });
  const remove = el('button', { type: 'button', class: 'danger', text: t('common.delete'), 'aria-describedby': 'delete-note',
    disabled: c.status === 'Active', onclick: () => deleteConnector(view) });
  buttons.append(remove);
  card.replaceChildren(
    el('h2', { id: 'c-status', text: t('connector.title') }),
    dl([
      [t('connector.statusField'), statusBadge(c.status)],
      [t('connector.tenant'), c.tenantId || '—'],
      [t('connector.authorizedBy'), c.authorizedBy ? c.authorizedBy.username : '—'],
      [t('connector.consentedByField'), entraText(c)],
      [t('connector.authorizedAt'), when(c.authorizedAt)],
      [t('connector.permissions'), c.grantedPermissions.length ? c.grantedPermissions.join(', ') : '—'],
      [t('connector.updatedAt'), when(c.updatedAt)],
    ]),
    ...(c.lastError ? [el('p', { class: 'error', text: serverText(c.lastError, c.lastErrorCode) })] : []),
    buttons, feedback, note);
}

async function deleteConnector(view) {
  let answer = null;
  const ok = await confirmDialog({
    title: t('connector.delete.title'),
    confirmLabel: t('connector.delete.button'),
    danger: true,
    content: [
      el('p', { text: t('connector.delete.text') }),
      el('p', { class: 'strong', text: t('connector.delete.entra') }),
    ],
    onConfirm: async () => { answer = await del(kPath); },
  });
  if (!ok || !answer) return;
  announce(t('connector.deleted'));
  view.replaceChildren(el('section', { class: 'card', 'aria-labelledby': 'deleted-title', id: 'delete-result' },
    el('h2', { id: 'deleted-title', text: t('connector.deleted.title') }),
    el('p', {}, el('span', { class: 'muted', text: t('connector.statusLabel') }), statusBadge(answer.status)),
    el('h3', { text: t('connector.deleted.removed') }),
    el('ul', { class: 'removed' }, ...(answer.removed || []).map((r, i) =>
      el('li', { text: serverText(r, (answer.removedCodes || [])[i]) }))),
    el('p', { class: 'notice warn', text: t('connector.deleted.entra') }),
    el('p', {}, el('a', { href: '#connectors', text: t('connector.back') }))));
  view.querySelector('h2').setAttribute('tabindex', '-1');
  view.querySelector('h2').focus();
}

function renderFeatures(card, model, changed) {
  const c = model.connector;
  const make = (key, label, help) => {
    const box = checkbox(label, c[key], { name: key, 'aria-describedby': `help-${key}` });
    const feedback = el('p', { class: 'feedback', role: 'status' });
    box.input.addEventListener('change', async () => {
      const want = box.input.checked;
      box.input.disabled = true;
      await act(null, async () => {
        try {
          const next = await patch(kPath, { [key]: want });
          changed(next, { keepFeatures: true });
          announce(want ? t('connector.feature.on', { name: label }) : t('connector.feature.off', { name: label }));
        } catch (e) {
          box.input.checked = !want;
          throw e;
        }
      }, { feedback });
      box.input.disabled = false;
    });
    return el('div', { class: 'switch' }, box.node, el('p', { id: `help-${key}`, class: 'muted', text: help }), feedback);
  };
  card.replaceChildren(
    el('h2', { id: 'c-features', text: t('connector.features') }),
    el('p', { class: 'muted', text: t('connector.features.optional') }),
    make('showUserDetails', t('connector.showUserDetails'), t('connector.showUserDetails.help')),
    make('presenceSync', t('connector.presenceSync'), t('connector.presenceSync.help')));
}
