// The sign-in page: one form for every role; each role lands on its own view.

import { ApiError, landingPage, login, session } from './api.js';

const form = document.getElementById('sign-in-form');
const error = document.getElementById('error');

function showError(text) {
  error.textContent = text ? text.charAt(0).toUpperCase() + text.slice(1) : '';
  error.hidden = !text;
}

function messageFor(e) {
  if (!(e instanceof ApiError)) return 'Signing in failed; please try again.';
  if (e.status === 429 && e.retryAfterSeconds > 0) {
    const at = new Date(Date.now() + e.retryAfterSeconds * 1000);
    const when = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    return `Account locked: ${e.message}. You can try again at ${when}.`;
  }
  return e.message; // the API's own words ("wrong username or password", …)
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  showError('');
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    showError('Enter your username and password.');
    (username ? form.password : form.username).focus();
    return;
  }
  const button = form.querySelector('button');
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

// Already signed in (e.g. the back button): go straight to the user's view.
session().then((me) => location.replace(landingPage(me.roles)), () => {});
