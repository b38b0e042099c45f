// What the desktop needs to know about the agent's desktop profile: the idle codes it may pick
// the RONA timeout behind the ringing countdown, and the names of the agent's queues.
//
// GET /api/v1/me/desktop ({"ronaTimeoutSeconds","wrapUpSeconds","idleCodes":[{"id","name"}],
// "queues":[{"id","name"}]}).

import { get } from './api.js';

export const kDefaultRonaTimeoutSeconds = 15;

export async function loadDesktopConfig() {
  const d = await get('/api/v1/me/desktop');
  return {
    idleCodes: (d.idleCodes || []).filter((c) => c.name !== 'RONA'),
    ronaTimeoutSeconds: d.ronaTimeoutSeconds || kDefaultRonaTimeoutSeconds,
    queues: d.queues || [],
  };
}
