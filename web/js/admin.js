// The administration page: Services > Contact Center > Tenant settings, one section at a time
// chosen by the location hash (#connectors, #connectors/msteams, #idle-codes, …), so that the
// browser's back button and bookmarks work. Each section is a module with a render function
// that fills the view and may return a cleanup (the connector details stop polling). A section
// with unsaved changes (the presence mapping) sets a leave guard: moving to another section
// asks first, and leaving the page gets the browser's own question.

import { renderAgents } from './admin-agents.js';
import { renderAudit } from './admin-audit.js';
import { renderIdleCodes, renderQueues, renderUsers } from './admin-config.js';
import { renderConnectorDetails, renderConnectors } from './admin-connector.js';
import { renderProfiles } from './admin-profiles.js';
import { errorText, t } from './i18n.js';
import { el, showError, startPage } from './shell.js';
import { confirmDialog } from './ui.js';

const kRoot = () => [t('admin.crumb.services'), t('admin.crumb.cc'), t('admin.crumb.tenant')];
const integrations = () => [t('admin.crumb.integrations'), [t('nav.connectors'), '#connectors']];

const kRoutes = {
  connectors: { title: () => t('nav.connectors'), trail: () => [t('admin.crumb.integrations')], render: renderConnectors },
  'connectors/msteams': { title: () => t('connector.name'), trail: integrations, render: renderConnectorDetails,
    section: 'connectors' },
  'idle-codes': { title: () => t('nav.idleCodes'), trail: () => [], render: renderIdleCodes },
  'desktop-profiles': { title: () => t('nav.profiles'), trail: () => [], render: renderProfiles },
  agents: { title: () => t('nav.agents'), trail: () => [], render: renderAgents },
  queues: { title: () => t('nav.queues'), trail: () => [], render: renderQueues },
  users: { title: () => t('nav.users'), trail: () => [], render: renderUsers },
  audit: { title: () => t('nav.audit'), trail: integrations, render: renderAudit },
};

let cleanup = null;
let me = null;
let generation = 0;
let leaveGuard = null; // () => true while the section has unsaved changes
let shownHash = '';

function renderBreadcrumb(route) {
  const items = [...kRoot(), ...route.trail(), route.title()].map((part, i, all) => {
    const [text, href] = Array.isArray(part) ? part : [part, null];
    if (i === all.length - 1) return el('li', {}, el('span', { 'aria-current': 'page', text }));
    return el('li', {}, href ? el('a', { href, text }) : el('span', { text }));
  });
  document.getElementById('breadcrumb').replaceChildren(...items);
}

async function show() {
  const key = location.hash.replace(/^#/, '') || 'connectors';
  const route = kRoutes[key] || kRoutes.connectors;
  const mine = ++generation;
  shownHash = location.hash;
  leaveGuard = null;
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  showError('');
  renderBreadcrumb(route);
  const title = route.title();
  document.getElementById('page-title').textContent = title;
  document.title = t('admin.docTitle', { section: title });
  const section = route.section || key;
  for (const a of document.querySelectorAll('#admin-nav a')) {
    if (a.dataset.section === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const view = document.getElementById('view');
  view.replaceChildren(el('p', { class: 'muted', text: t('common.loading') }));
  view.setAttribute('aria-busy', 'true');
  try {
    const c = await route.render(view, { me, setLeaveGuard: (g) => { leaveGuard = g; } });
    if (mine !== generation) {
      if (typeof c === 'function') c();
      return;
    }
    cleanup = typeof c === 'function' ? c : null;
  } catch (e) {
    if (mine !== generation) return;
    view.replaceChildren(el('p', { class: 'error', text: errorText(e) }));
  } finally {
    if (mine === generation) view.removeAttribute('aria-busy');
  }
}

// A move to another section with unsaved changes: asks, and goes back to where it was when
// the admin stays (replaceState fires no hashchange).
async function onHashChange() {
  if (location.hash === shownHash) return;
  if (leaveGuard && leaveGuard()) {
    const target = location.hash;
    history.replaceState(null, '', shownHash || location.pathname);
    const leave = await confirmDialog({ title: t('admin.leave.title'), confirmLabel: t('admin.leave.button'),
      danger: true, content: [el('p', { text: t('admin.leave.text') })] });
    if (!leave) return;
    leaveGuard = null;
    history.replaceState(null, '', target);
  }
  await show();
  document.getElementById('page-title').focus?.();
}

async function main() {
  me = await startPage(['admin']);
  window.addEventListener('hashchange', onHashChange);
  // Leaving the page itself (another view, sign out, closing the tab): the browser asks.
  window.addEventListener('beforeunload', (e) => {
    if (leaveGuard && leaveGuard()) {
      e.preventDefault();
      e.returnValue = '';
    }
  });
  await show();
}

main();
