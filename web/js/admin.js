// The administration page: Services > Contact Center > Tenant settings, one section at a time
// chosen by the location hash (#connectors, #connectors/msteams, #idle-codes, …), so that the
// browser's back button and bookmarks work. Each section is a module with a render function
// that fills the view and may return a cleanup (the connector details stop polling).

import { renderAudit } from './admin-audit.js';
import { renderAgents, renderIdleCodes, renderProfiles, renderQueues, renderUsers } from './admin-config.js';
import { renderConnectorDetails, renderConnectors } from './admin-connector.js';
import { el, showError, startPage } from './shell.js';

const kRoot = ['Services', 'Contact Center', 'Tenant settings'];

const kRoutes = {
  connectors: { title: 'Connectors', trail: ['Integrations'], render: renderConnectors },
  'connectors/msteams': { title: 'Microsoft Teams', trail: ['Integrations', ['Connectors', '#connectors']],
    render: renderConnectorDetails, section: 'connectors' },
  'idle-codes': { title: 'Idle codes', trail: [], render: renderIdleCodes },
  'desktop-profiles': { title: 'Desktop profiles', trail: [], render: renderProfiles },
  agents: { title: 'Agents', trail: [], render: renderAgents },
  queues: { title: 'Queues', trail: [], render: renderQueues },
  users: { title: 'Users', trail: [], render: renderUsers },
  audit: { title: 'Audit log', trail: ['Integrations', ['Connectors', '#connectors']], render: renderAudit },
};

let cleanup = null;
let me = null;
let generation = 0;

function renderBreadcrumb(route) {
  const items = [...kRoot, ...route.trail, route.title].map((part, i, all) => {
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
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  showError('');
  renderBreadcrumb(route);
  document.getElementById('page-title').textContent = route.title;
  document.title = `${route.title} — Administration — ccteams`;
  const section = route.section || key;
  for (const a of document.querySelectorAll('#admin-nav a')) {
    if (a.dataset.section === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const view = document.getElementById('view');
  view.replaceChildren(el('p', { class: 'muted', text: 'Loading…' }));
  view.setAttribute('aria-busy', 'true');
  try {
    const c = await route.render(view, { me });
    if (mine !== generation) {
      if (typeof c === 'function') c();
      return;
    }
    cleanup = typeof c === 'function' ? c : null;
  } catch (e) {
    if (mine !== generation) return;
    view.replaceChildren(el('p', { class: 'error', text: e.message }));
    showError(e.message);
  } finally {
    if (mine === generation) view.removeAttribute('aria-busy');
  }
}

async function main() {
  me = await startPage(['admin']);
  window.addEventListener('hashchange', () => {
    show();
    document.getElementById('page-title').focus?.();
  });
  await show();
}

main();
