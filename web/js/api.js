// The REST API as the console uses it (docs/api.md). The browser holds the HttpOnly session
// cookie; every state-changing request also carries the CSRF token from the readable
// `ccteams_csrf` cookie, as the server requires. Errors become ApiError with the API's own
// message and machine-readable code, so pages can show what the server said (i18n.js's
// errorText: in the console's language).

import { t } from './i18n.js';
import { translatedServerText } from './server-text.js';

const kStateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class ApiError extends Error {
  constructor(status, code, message, retryAfterSeconds, reason = null, messageCode = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
    this.reason = reason; // error.reason when the API gives one (e.g. a Teams user not dialable)
    // error.messageCode (docs/api.md "Message codes"): the message in the console's language
    // when it is not English and the code is known (i18n.js's errorText shows it), else null.
    this.messageCode = messageCode;
    this.translated = translatedServerText(message, messageCode);
  }
}

function cookie(name) {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return '';
}

async function errorFrom(response) {
  let code = 'http_' + response.status;
  let message = t('error.http', { status: `${response.status} ${response.statusText}`.trim() });
  let reason = null;
  let messageCode = null;
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
      reason = body.error.reason || null;
      messageCode = body.error.messageCode || null;
    }
  } catch {
    // Not JSON (a proxy's page): keep the status line.
  }
  const retry = Number.parseInt(response.headers.get('Retry-After') || '', 10);
  return new ApiError(response.status, code, message, Number.isFinite(retry) ? retry : 0, reason,
    messageCode);
}

// One API call. Resolves with the parsed JSON body (null for 204); rejects with ApiError.
export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (kStateChanging.has(method)) {
    const csrf = cookie('ccteams_csrf');
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', t('error.network'), 0);
  }
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);
export const put = (path, body) => request('PUT', path, body);
export const patch = (path, body) => request('PATCH', path, body);
export const del = (path) => request('DELETE', path);

export function login(username, password) {
  return post('/api/v1/auth/login', { username, password });
}

export function logout() {
  return post('/api/v1/auth/logout');
}

// The signed-in account ({id, username, displayName, roles, orgName, csrfToken}).
export function session() {
  return get('/api/v1/auth/session');
}

// The views a role set may open, in the order they are offered.
export function viewsFor(roles) {
  const views = [];
  if (roles.includes('agent')) views.push({ page: '/desktop.html', label: t('view.desktop') });
  if (roles.includes('supervisor') || roles.includes('admin')) {
    views.push({ page: '/supervisor.html', label: t('view.supervisor') });
  }
  if (roles.includes('admin')) views.push({ page: '/admin.html', label: t('view.admin') });
  return views;
}

// Where a user lands after signing in: their most specific view.
export function landingPage(roles) {
  if (roles.includes('admin')) return '/admin.html';
  if (roles.includes('supervisor')) return '/supervisor.html';
  if (roles.includes('agent')) return '/desktop.html';
  return '/sign-in.html';
}
