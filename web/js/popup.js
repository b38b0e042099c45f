// Microsoft's sign-in and consent pages in a popup (docs/api.md "Set up", "Sign-in").
//
// The popup is opened at once from the click (about:blank), so the browser still counts it as
// the user's gesture, and sent to Microsoft once the API has given the URL. A blocked popup
// (window.open returns null) is reported to the caller, which tells the admin to allow popups.
// The callback page posts its outcome to window.opener, addressed to our own origin; only
// messages from our origin and from that very popup window are accepted.

import { t } from './i18n.js';

const kFeatures = 'popup,width=520,height=700';

export class PopupBlockedError extends Error {
  constructor() {
    super(t('popup.blocked'));
    this.name = 'PopupBlockedError';
  }
}

// Opens a popup and runs the flow. getUrl(): async, resolves with the authorization URL
// (an API call). accept(data): true for the callback message this flow waits for.
// Resolves with {message} when the callback page posted one, or {closed: true} when the
// window was closed without an answer. Rejects with PopupBlockedError or getUrl's error.
export async function runPopupFlow(name, getUrl, accept) {
  const popup = window.open('about:blank', name, kFeatures);
  if (!popup) throw new PopupBlockedError();
  let url;
  try {
    url = await getUrl();
  } catch (e) {
    popup.close();
    throw e;
  }
  popup.location.href = url;
  popup.focus();
  return new Promise((resolve) => {
    let done = false;
    const finish = (result) => {
      if (done) return;
      done = true;
      window.removeEventListener('message', onMessage);
      clearInterval(timer);
      resolve(result);
    };
    const onMessage = (e) => {
      if (e.origin !== window.location.origin || e.source !== popup) return;
      if (!e.data || !accept(e.data)) return;
      finish({ message: e.data });
    };
    window.addEventListener('message', onMessage);
    // The page closes itself right after posting: give a message in flight time to arrive.
    let closedSince = 0;
    const timer = setInterval(() => {
      if (!popup.closed) return;
      if (!closedSince) closedSince = Date.now();
      else if (Date.now() - closedSince > 400) finish({ closed: true });
    }, 200);
  });
}

// What the page shows when the popup was blocked: the reason in words and a retry button
// (a click again is a fresh user gesture, which browsers let open a window).
export function blockedNotice(el, retry) {
  const button = el('button', { type: 'button', class: 'primary', text: t('popup.retry') });
  button.addEventListener('click', retry);
  return el('div', { class: 'notice warn', role: 'alert' },
    el('p', { text: new PopupBlockedError().message }), button);
}
