// The desktop's words about the agent's own situation: their Teams presence and a hint when it
// disagrees with their state, RONA explained, and what deserves their attention (an offer, an
// Idle that Teams presence or RONA caused) for the tab title, sound and notification.

import { originText, presenceText, stateText } from './format.js';
import { el } from './shell.js';

const $ = (id) => document.getElementById(id);

// "You missed a call from Sales; you are Idle: RONA." The call is the last offer seen here
// (after a reload it is not known: the sentence says so without the queue). lastOffer:
// {queueId, by} (by: the consulting agent's name for a consult).
export function ronaExplained(state, lastOffer, queueName) {
  const o = lastOffer;
  const from = !o ? 'You missed a call' : o.by ? `You missed a consult from ${o.by}`
    : `You missed a call from ${queueName(o.queueId)}`;
  return `${from}; you are ${stateText(state)}. No contacts are offered to you until you set ` +
    'yourself Available.';
}

const kBusyInTeams = new Set(['Busy', 'BusyIdle', 'DoNotDisturb', 'Away', 'BeRightBack', 'Offline']);
const kFreeInTeams = new Set(['Available', 'AvailableIdle']);

// The agent's own Teams presence, a hint when it and their state disagree, the RONA note.
export function renderPresence(s, ronaText) {
  const p = s.teamsPresence;
  const line = $('teams-presence');
  line.hidden = !p || s.state === 'LoggedOut';
  if (p) {
    line.replaceChildren('Your Teams presence: ',
      el('span', { class: 'dot', 'data-availability': p.availability, 'aria-hidden': 'true' }),
      el('strong', { text: presenceText(p) }));
  }
  let hint = '';
  if (p && s.state === 'Available' && kBusyInTeams.has(p.availability)) {
    hint = `Teams shows you as ${presenceText(p)}, but you are Available here: contacts are still ` +
      'offered to you.';
  } else if (p && s.state === 'Idle' && s.origin !== 'presence_sync' && kFreeInTeams.has(p.availability)) {
    hint = `Teams shows you as ${presenceText(p)}, but you are ${stateText(s)} here: no contacts ` +
      'are offered to you until you set yourself Available.';
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
    return { key: `offer:${c.id}:${c.offers}:${c.since}`, title: `Incoming contact from ${c.caller}`,
      body: `${queueName(c.queueId)}: accept within ${ronaTimeoutSeconds} s.`, tag: 'offer' };
  }
  if (s.state === 'Idle' && s.origin === 'presence_sync') {
    return { key: `teams:${s.since}`, title: stateText(s),
      body: `${originText(s)}: no contacts are offered to you.`, tag: 'teams-idle' };
  }
  if (s.state === 'Idle' && s.origin === 'rona') {
    return { key: `rona:${s.since}`, title: 'Missed call', body: ronaText, tag: 'rona' };
  }
  return null;
}
