// What every signed-in page shares: the session check (unknown session -> sign-in page; a role
// that may not open this view -> the user's own view), the header with the views the user may
// switch between, the language switch (remembered per user), sign-out, and the connection
// indicator. The page's static markup is translated here too (data-i18n, i18n.js).

import { ApiError, landingPage, logout, session, viewsFor } from './api.js';
import { adoptUserLanguage, chooseLanguage, errorText, kLanguages, lang, t, translatePage } from './i18n.js';

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) node.append(c);
  return node;
}

// Resolves with the session when the user may open a view needing one of roles; otherwise
// navigates away and never resolves.
export async function startPage(roles) {
  translatePage();
  let me;
  try {
    me = await session();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      location.replace('/sign-in.html');
      return new Promise(() => {});
    }
    throw e;
  }
  if (!roles.some((r) => me.roles.includes(r))) {
    location.replace(landingPage(me.roles));
    return new Promise(() => {});
  }
  if (!adoptUserLanguage(me.username)) return new Promise(() => {});
  renderHeader(me);
  return me;
}

function renderHeader(me) {
  const nav = document.getElementById('views');
  const here = location.pathname;
  for (const v of viewsFor(me.roles)) {
    const a = el('a', { href: v.page, text: v.label });
    if (v.page === here) a.setAttribute('aria-current', 'page');
    nav.append(el('li', {}, a));
  }
  document.getElementById('who').textContent =
    `${me.displayName || me.username} (${me.orgName || t('shell.organisation')})`;
  languageSwitch(document.getElementById('sign-out'), me.username);
  document.getElementById('sign-out').addEventListener('click', async () => {
    try {
      await logout();
    } finally {
      location.replace('/sign-in.html');
    }
  });
}

// The language switch, placed before `before` (the header's Sign out): a labelled select whose
// choice is remembered for username (none on the sign-in page: this browser only).
export function languageSwitch(before, username) {
  const select = el('select', { id: 'language', class: 'language' },
    ...kLanguages.map((l) => el('option', { value: l.tag, text: l.name, lang: l.tag })));
  select.value = lang;
  select.addEventListener('change', () => chooseLanguage(select.value, username));
  const label = el('label', { for: 'language', class: 'visually-hidden', text: t('shell.language') });
  before.before(label, select);
  return select;
}

// For EventStream.onRefused: a WebSocket cannot see why its upgrade failed, so ask the API;
// an ended session goes back to the sign-in page.
export async function checkSession() {
  try {
    await session();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) location.replace('/sign-in.html');
  }
}

// The connection indicator fed by EventStream.onStatus.
export function showConnection(status) {
  const node = document.getElementById('connection');
  if (!node) return;
  node.dataset.state = status.state;
  if (status.state === 'live') node.textContent = t('shell.live');
  else if (status.state === 'connecting') node.textContent = t('shell.connecting');
  else node.textContent = t('shell.retrying', { n: Math.ceil(status.retryInMs / 1000) });
}

// A message in the page's error banner (role=alert); empty text hides it.
export function showError(text) {
  const node = document.getElementById('error');
  node.textContent = text ? text.charAt(0).toUpperCase() + text.slice(1) : '';
  node.hidden = !text;
}

// Runs an API action from a button: disables it meanwhile, shows the API's message on failure,
// beside the control when a feedback node is given (else in the page's error banner), and the
// success text (optional) there too.
export async function act(button, fn, { feedback, done } = {}) {
  if (feedback) {
    feedback.textContent = '';
    feedback.classList.remove('error', 'ok');
  } else {
    showError('');
  }
  if (button) button.disabled = true;
  try {
    const r = await fn();
    if (feedback && done) {
      feedback.textContent = typeof done === 'function' ? done(r) : done;
      feedback.classList.add('ok');
    }
    return r;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) location.replace('/sign-in.html');
    if (feedback) {
      const text = errorText(e);
      feedback.textContent = text ? text.charAt(0).toUpperCase() + text.slice(1) : t('error.unknown');
      feedback.classList.add('error');
    } else {
      showError(errorText(e));
    }
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}
