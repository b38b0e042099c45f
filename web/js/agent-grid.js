// The supervisor's agent grid: what its filters offer, whether an agent passes them, and the
// sort orders. Pure functions of an agent record ({name, state, queueIds, contactText}) and the
// filter values, so the view only has to read the form and reorder rows.

import { originTextFor, presenceText, stateText } from './format.js';
import { lang, t } from './i18n.js';

export const kStates = [
  { value: 'Available', label: t('state.Available') },
  { value: 'Idle', label: t('state.Idle') },
  { value: 'Reserved', label: t('state.Reserved') },
  { value: 'Engaged', label: t('state.Engaged') },
  { value: 'WrapUp', label: t('state.WrapUp') },
  { value: 'LoggedOut', label: t('state.LoggedOut') },
];

export const kOrigins = [
  { value: 'teams-idle', label: t('filter.teamsIdle') },
  { value: 'presence_sync', label: t('filter.teams') },
  { value: 'manual', label: t('filter.agent') },
  { value: 'supervisor', label: t('filter.supervisor') },
  { value: 'rona', label: t('filter.rona') },
  { value: 'system', label: t('filter.system') },
];

// Teams availabilities as people group them (Graph's "…Idle" variants with their base).
export const kPresences = [
  { value: 'Available', label: t('presence.Available'), match: ['Available', 'AvailableIdle'] },
  { value: 'Busy', label: t('presence.Busy'), match: ['Busy', 'BusyIdle'] },
  { value: 'DoNotDisturb', label: t('presence.DoNotDisturb'), match: ['DoNotDisturb'] },
  { value: 'Away', label: t('filter.away'), match: ['Away', 'BeRightBack'] },
  { value: 'Offline', label: t('filter.offline'), match: ['Offline', 'PresenceUnknown'] },
  { value: 'none', label: t('filter.none'), match: [] },
];

export const kSorts = [
  { value: 'name', label: t('sort.name') },
  { value: 'state', label: t('desktop.state') },
  { value: 'since', label: t('sort.since') },
  { value: 'origin', label: t('sup.origin') },
  { value: 'presence', label: t('agents.presence') },
  { value: 'queues', label: t('nav.queues') },
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
  const byName = (x, y) => x.name.localeCompare(y.name, lang);
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
