// Wording shared by the views: agent states, their origin, presence, durations.

const kActivityWords = {
  InACall: 'In a call',
  InAConferenceCall: 'In a conference call',
  Presenting: 'Presenting',
  DoNotDisturb: 'Do not disturb',
  UrgentInterruptionsOnly: 'Urgent interruptions only',
  InAMeeting: 'In a meeting',
  OutOfOffice: 'Out of office',
  BeRightBack: 'Be right back',
  OffWork: 'Off work',
  PresenceUnknown: 'Unknown',
  Available: 'Available',
  Away: 'Away',
  Busy: 'Busy',
  Offline: 'Offline',
  Inactive: 'Inactive',
};

export function words(graphName) {
  if (!graphName) return '';
  return kActivityWords[graphName] || graphName.replace(/([a-z])([A-Z])/g, '$1 $2');
}

// "Idle: Lunch", "Available", "Ringing"… as a person reads an agent state.
export function stateText(state) {
  if (!state) return 'Unknown';
  switch (state.state) {
    case 'Idle':
      return `Idle: ${state.idleCodeName || 'code ' + state.idleCodeId}`;
    case 'Reserved':
      return 'Ringing';
    case 'Engaged':
      return 'On a contact';
    case 'WrapUp':
      return 'Wrap-up';
    case 'LoggedOut':
      return 'Logged out';
    default:
      return state.state;
  }
}

// Why the agent is in this state, in words ("set by Teams presence: Presenting").
export function originText(state) {
  if (!state || !state.origin) return '';
  switch (state.origin) {
    case 'manual':
      return 'set by you';
    case 'presence_sync': {
      const p = state.teamsPresence;
      const what = p ? words(p.activity && p.activity !== p.availability ? p.activity : p.availability) : '';
      return what ? `set by Teams presence: ${what}` : 'set by Teams presence';
    }
    case 'rona':
      return 'no answer (RONA)';
    case 'system':
      return 'set by the system';
    case 'supervisor':
      return 'set by a supervisor';
    default:
      return state.origin;
  }
}

// The same origin as a supervisor reads it about someone else.
export function originTextFor(state) {
  return state && state.origin === 'manual' ? 'set by the agent' : originText(state);
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
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

// A timestamp worth showing: servers before the "since is null" fix sent 1970 for "never".
export function known(iso) {
  return Boolean(iso) && Date.parse(iso) > 0;
}

export function clock(iso) {
  if (!known(iso)) return '';
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
