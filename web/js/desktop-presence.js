// The desktop's words about the agent's own situation: their Teams presence and a hint when it
// disagrees with their state, RONA explained, and what deserves their attention (an offer, an
// Idle that Teams presence or RONA caused) for the tab title, sound and notification.

import { originText, presenceText, stateText } from './format.js';
import { t } from './i18n.js';
import { el } from './shell.js';

const $ = (id) => document.getElementById(id);

// "You missed a call from Sales; you are Idle: RONA." The call is the last offer seen here
// (after a reload it is not known: the sentence says so without the queue). lastOffer:
// {queueId, by} (by: the consulting agent's name for a consult).
export function ronaExplained(state, lastOffer, queueName) {
  const o = lastOffer;
  const from = !o ? t('rona.missed') : o.by ? t('rona.missedConsult', { by: o.by })
    : t('rona.missedFrom', { queue: queueName(o.queueId) });
  return t('rona.explained', { from, state: stateText(state) });
}

const kBusyInTeams = new Set(['Busy', 'BusyIdle', 'DoNotDisturb', 'Away', 'BeRightBack', 'Offline']);
const kFreeInTeams = new Set(['Available', 'AvailableIdle']);

// The agent's own Teams presence, a hint when it and their state disagree, the RONA note.
export function renderPresence(s, ronaText) {
  const p = s.teamsPresence;
  const line = $('teams-presence');
  line.hidden = !p || s.state === 'LoggedOut';
  if (p) {
    line.replaceChildren(t('presence.yours'),
      el('span', { class: 'dot', 'data-availability': p.availability, 'aria-hidden': 'true' }),
      el('strong', { text: presenceText(p) }));
  }
  let hint = '';
  if (p && s.state === 'Available' && kBusyInTeams.has(p.availability)) {
    hint = t('presence.hintAvailable', { presence: presenceText(p) });
  } else if (p && s.state === 'Idle' && s.origin !== 'presence_sync' && kFreeInTeams.has(p.availability)) {
    hint = t('presence.hintIdle', { presence: presenceText(p), state: stateText(s) });
  }
  $('presence-hint').textContent = hint;
  $('presence-hint').hidden = !hint;
  $('rona-note').hidden = !ronaText;
  $('rona-text').textContent = ronaText;
}

// What deserves the agent's attention now, or null: {key, title, body, tag}. ringing: an offer
// (or a consult) rings for them now.
export function noticeFor(s, c, { ringing, queueName, ronaTimeoutSeconds, ronaText }) {
  if (ringing) {
    return { key: `offer:${c.id}:${c.offers}:${c.since}`, title: t('notice.offer', { caller: c.caller }),
      body: t('notice.offerBody', { queue: queueName(c.queueId), n: ronaTimeoutSeconds }), tag: 'offer' };
  }
  if (s.state === 'Idle' && s.origin === 'presence_sync') {
    return { key: `teams:${s.since}`, title: stateText(s),
      body: t('notice.teamsIdle', { why: originText(s) }), tag: 'teams-idle' };
  }
  if (s.state === 'Idle' && s.origin === 'rona') {
    return { key: `rona:${s.since}`, title: t('notice.missed'), body: ronaText, tag: 'rona' };
  }
  return null;
}
