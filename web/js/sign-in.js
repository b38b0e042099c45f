// The sign-in page: one form for every role; each role lands on its own view. The language
// follows the browser (or the last choice here) and can be switched before signing in.

import { ApiError, landingPage, login, session } from './api.js';
import { errorText, t, timeOfDay, translatePage } from './i18n.js';
import { languageSwitch } from './shell.js';

translatePage();
languageSwitch(document.getElementById('language-anchor'));

const form = document.getElementById('sign-in-form');
const error = document.getElementById('error');

function showError(text) {
  error.textContent = text ? text.charAt(0).toUpperCase() + text.slice(1) : '';
  error.hidden = !text;
}

function messageFor(e) {
  if (!(e instanceof ApiError)) return t('signIn.failed');
  if (e.status === 429 && e.retryAfterSeconds > 0) {
    const at = new Date(Date.now() + e.retryAfterSeconds * 1000);
    return t('signIn.locked', { reason: errorText(e), when: timeOfDay(at) });
  }
  if (e.status === 401) return t('signIn.wrong');
  return errorText(e);
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  showError('');
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    showError(t('signIn.enterBoth'));
    (username ? form.password : form.username).focus();
    return;
  }
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const result = await login(username, password);
    location.assign(landingPage(result.user.roles));
  } catch (e) {
    showError(messageFor(e));
    form.password.value = '';
    form.password.focus();
  } finally {
    button.disabled = false;
  }
});

// The button starts disabled in the markup: a click before this module ran would submit the
// form natively (a GET with the password in the URL).
form.querySelector('button[type=submit]').disabled = false;

// Already signed in (e.g. the back button): go straight to the user's view.
session().then((me) => location.replace(landingPage(me.roles)), () => {});
