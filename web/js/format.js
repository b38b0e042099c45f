// Wording shared by the views: agent states, their origin, presence, durations.

import { number, t, timeOfDay } from './i18n.js';

// Graph's availability and activity names in words (Teams' own wording).
function activityWords(name) {
  return ({
    InACall: t('presence.InACall'), InAConferenceCall: t('presence.InAConferenceCall'),
    Presenting: t('presence.Presenting'), DoNotDisturb: t('presence.DoNotDisturb'),
    UrgentInterruptionsOnly: t('presence.UrgentInterruptionsOnly'), InAMeeting: t('presence.InAMeeting'),
    OutOfOffice: t('presence.OutOfOffice'), BeRightBack: t('presence.BeRightBack'), OffWork: t('presence.OffWork'),
    PresenceUnknown: t('presence.PresenceUnknown'), Available: t('presence.Available'), Away: t('presence.Away'),
    Busy: t('presence.Busy'), Offline: t('presence.Offline'), Inactive: t('presence.Inactive'),
    AvailableIdle: t('presence.AvailableIdle'), BusyIdle: t('presence.BusyIdle'), Focusing: t('presence.Focusing'),
  })[name];
}

export function words(graphName) {
  if (!graphName) return '';
  return activityWords(graphName) || graphName.replace(/([a-z])([A-Z])/g, '$1 $2');
}

// "Idle: Lunch", "Available", "Ringing"… as a person reads an agent state.
export function stateText(state) {
  if (!state) return t('state.unknown');
  switch (state.state) {
    case 'Available':
      return t('state.Available');
    case 'Idle':
      return t('state.idleWith', { code: state.idleCodeName || t('state.codeN', { id: state.idleCodeId }) });
    case 'Reserved':
      return t('state.Reserved');
    case 'Engaged':
      return t('state.Engaged');
    case 'WrapUp':
      return t('state.WrapUp');
    case 'LoggedOut':
      return t('state.LoggedOut');
    default:
      return state.state;
  }
}

// Why the agent is in this state, in words ("set by Teams presence: Presenting").
export function originText(state) {
  if (!state || !state.origin) return '';
  switch (state.origin) {
    case 'manual':
      return t('origin.manual');
    case 'presence_sync': {
      const p = state.teamsPresence;
      const what = p ? words(p.activity && p.activity !== p.availability ? p.activity : p.availability) : '';
      return what ? t('origin.teamsWith', { what }) : t('origin.teams');
    }
    case 'rona':
      return t('origin.rona');
    case 'system':
      return t('origin.system');
    case 'supervisor':
      return t('origin.supervisor');
    default:
      return state.origin;
  }
}

// The same origin as a supervisor reads it about someone else.
export function originTextFor(state) {
  return state && state.origin === 'manual' ? t('origin.agent') : originText(state);
}

export function presenceText(p) {
  if (!p) return '—';
  const a = words(p.availability);
  const b = words(p.activity);
  return b && b !== a ? `${a} / ${b}` : a;
}

// 75 -> "1 min 15 s"; 4000 -> "1 h 6 min".
export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return t('duration.s', { s: number(s) });
  if (s < 3600) return t('duration.ms', { m: number(Math.floor(s / 60)), s: number(s % 60) });
  return t('duration.hm', { h: number(Math.floor(s / 3600)), m: number(Math.floor((s % 3600) / 60)) });
}

// A timestamp worth showing: servers before the "since is null" fix sent 1970 for "never".
export function known(iso) {
  return Boolean(iso) && Date.parse(iso) > 0;
}

export function clock(iso) {
  if (!known(iso)) return '';
  return timeOfDay(new Date(iso));
}
