// The supervisor's agent grid: what its filters offer, whether an agent passes them, and the
// sort orders. Pure functions of an agent record ({name, state, queueIds, contactText}) and the
// filter values, so the view only has to read the form and reorder rows.

import { originTextFor, presenceText, stateText } from './format.js';

export const kStates = [
  { value: 'Available', label: 'Available' },
  { value: 'Idle', label: 'Idle' },
  { value: 'Reserved', label: 'Ringing' },
  { value: 'Engaged', label: 'On a contact' },
  { value: 'WrapUp', label: 'Wrap-up' },
  { value: 'LoggedOut', label: 'Logged out' },
];

export const kOrigins = [
  { value: 'teams-idle', label: 'Idle because of Teams' },
  { value: 'presence_sync', label: 'Set by Teams presence (any state)' },
  { value: 'manual', label: 'Set by the agent' },
  { value: 'supervisor', label: 'Set by a supervisor' },
  { value: 'rona', label: 'No answer (RONA)' },
  { value: 'system', label: 'Set by the system' },
];

// Teams availabilities as people group them (Graph's "…Idle" variants with their base).
export const kPresences = [
  { value: 'Available', label: 'Available', match: ['Available', 'AvailableIdle'] },
  { value: 'Busy', label: 'Busy', match: ['Busy', 'BusyIdle'] },
  { value: 'DoNotDisturb', label: 'Do not disturb', match: ['DoNotDisturb'] },
  { value: 'Away', label: 'Away or be right back', match: ['Away', 'BeRightBack'] },
  { value: 'Offline', label: 'Offline or unknown', match: ['Offline', 'PresenceUnknown'] },
  { value: 'none', label: 'Not synced (—)', match: [] },
];

export const kSorts = [
  { value: 'name', label: 'Agent name' },
  { value: 'state', label: 'State' },
  { value: 'since', label: 'Longest in state first' },
  { value: 'origin', label: 'Origin' },
  { value: 'presence', label: 'Teams presence' },
  { value: 'queues', label: 'Queues' },
];

const kStateRank = Object.fromEntries(kStates.map((s, i) => [s.value, i]));

export function matches(a, f) {
  const s = a.state || {};
  if (f.name && !`${a.name} ${a.username || ''}`.toLowerCase().includes(f.name.toLowerCase())) return false;
  if (f.state && s.state !== f.state) return false;
  if (f.origin === 'teams-idle') {
    if (s.state !== 'Idle' || s.origin !== 'presence_sync') return false;
  } else if (f.origin && s.origin !== f.origin) {
    return false;
  }
  if (f.queue && !(a.queueIds || []).includes(Number(f.queue))) return false;
  if (f.presence) {
    const p = s.teamsPresence;
    if (f.presence === 'none') return !p;
    const group = kPresences.find((g) => g.value === f.presence);
    if (!p || !group.match.includes(p.availability)) return false;
  }
  return true;
}

function sinceMs(a) {
  const t = a.state && Date.parse(a.state.since);
  return Number.isFinite(t) && t > 0 ? t : Infinity;
}

// A comparator for the chosen sort; ties go by name.
export function comparator(key, queueText) {
  const byName = (x, y) => x.name.localeCompare(y.name);
  const by = {
    name: () => 0,
    state: (x, y) => (kStateRank[x.state && x.state.state] ?? 9) - (kStateRank[y.state && y.state.state] ?? 9)
      || stateText(x.state).localeCompare(stateText(y.state)),
    since: (x, y) => sinceMs(x) - sinceMs(y),
    origin: (x, y) => originTextFor(x.state).localeCompare(originTextFor(y.state)),
    presence: (x, y) => presenceText(x.state && x.state.teamsPresence)
      .localeCompare(presenceText(y.state && y.state.teamsPresence)),
    queues: (x, y) => queueText(x).localeCompare(queueText(y)),
  }[key] || (() => 0);
  return (x, y) => by(x, y) || byName(x, y);
}
