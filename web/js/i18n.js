// The console's languages: English and Simplified Chinese, from JSON catalogues
// (web/i18n/en.json, zh-CN.json; no build step). The language is the one this user chose
// (remembered per user in localStorage), else the last one chosen in this browser, else the
// first of the browser's languages (navigator.languages) we have. Dates, times and numbers go
// through Intl in that language. tests/browser/i18n_check.mjs fails when a key is missing in
// either catalogue or a key the code uses is absent.
//
// t(key, {name}) gives the text with {name} replaced; a key missing in the language's
// catalogue falls back to English, then to the key itself (the check keeps that from shipping).

export const kLanguages = [
  { tag: 'en', name: 'English' },
  { tag: 'zh-CN', name: '简体中文' },
];
const kLastKey = 'ccteams.lang';
const userKey = (username) => `ccteams.lang.user.${username}`;

function stored(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled: the browser's language then
  }
}

function store(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Not remembered; the choice still holds for this page.
  }
}

// The catalogue tag for a BCP 47 tag ('zh', 'zh-Hans-CN', 'en-GB' …), or null.
export function supported(tag) {
  if (!tag) return null;
  const t = String(tag).toLowerCase();
  if (t === 'zh' || t.startsWith('zh-')) return 'zh-CN';
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return null;
}

export function browserLanguage(languages = navigator.languages || [navigator.language]) {
  for (const l of languages) {
    const s = supported(l);
    if (s) return s;
  }
  return 'en';
}

export const lang = supported(stored(kLastKey)) || browserLanguage();

async function load(tag) {
  const r = await fetch(`/i18n/${tag}.json`, { cache: 'no-cache' });
  if (!r.ok) throw new Error(`/i18n/${tag}.json: ${r.status}`);
  return r.json();
}

const english = await load('en');
const messages = lang === 'en' ? english : await load(lang).catch(() => english);
document.documentElement.lang = lang;

export function t(key, params) {
  let text = messages[key] ?? english[key] ?? key;
  if (params) text = text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
  return text;
}

// Translates the page's static markup: data-i18n (text), data-i18n-label (aria-label),
// data-i18n-placeholder, data-i18n-title (the document title when on <title>).
export function translatePage(root = document) {
  for (const node of root.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll('[data-i18n-label]')) {
    node.setAttribute('aria-label', t(node.dataset.i18nLabel));
  }
  for (const node of root.querySelectorAll('[data-i18n-placeholder]')) {
    node.setAttribute('placeholder', t(node.dataset.i18nPlaceholder));
  }
}

// After sign-in: the user's own choice wins over this browser's last one. Resolves false when
// the page must reload in the user's language (it has been asked to).
export function adoptUserLanguage(username) {
  const mine = supported(stored(userKey(username)));
  if (!mine || mine === lang) return true;
  store(kLastKey, mine);
  location.reload();
  return false;
}

// The header's switch: remembered for this user and this browser, applied by reloading (every
// view re-reads its data, so nothing is lost).
export function chooseLanguage(tag, username) {
  const s = supported(tag) || 'en';
  store(kLastKey, s);
  if (username) store(userKey(username), s);
  if (s !== lang) location.reload();
}

// ---- Intl ----

const numberFormat = new Intl.NumberFormat(lang);
export const number = (n) => numberFormat.format(n);

export function dateTime(d) {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' }).format(d);
}

export function timeOfDay(d, { seconds = false } = {}) {
  return new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}) }).format(d);
}

// A list in the language's words ("A, B and C" / "A、B和C").
export function list(items) {
  return new Intl.ListFormat(lang, { style: 'long', type: 'conjunction' }).format(items);
}

// The server's error in the console's language: English keeps the API's own words (they are
// specific); other languages say a sentence known by its message code in full, else map the
// machine-readable error code, with the server's detail after it.
export function errorText(e) {
  if (!e) return t('error.unknown');
  if (lang === 'en') return e.message || t('error.unknown');
  if (e.translated) return e.translated; // a server sentence known by its code (server-text.js)
  const general = {
    invalid_input: () => t('error.invalid_input'), unauthenticated: () => t('error.unauthenticated'),
    forbidden: () => t('error.forbidden'), not_found: () => t('error.not_found'), conflict: () => t('error.conflict'),
    payload_too_large: () => t('error.payload_too_large'),
    unsupported_media_type: () => t('error.unsupported_media_type'), rate_limited: () => t('error.rate_limited'),
    unavailable: () => t('error.unavailable'), internal: () => t('error.internal'), network: () => t('error.network'),
    org_elsewhere: () => t('error.org_elsewhere'),
  }[e.code];
  if (!general) return e.message || t('error.unknown');
  if (e.code === 'network' || !e.message) return general();
  return t('error.withDetail', { text: general(), detail: e.message });
}
