// What the desktop needs to know about the agent's desktop profile: the idle codes it may pick
// and the RONA timeout behind the ringing countdown.
//
// GET /api/v1/me/desktop ({"ronaTimeoutSeconds","wrapUpSeconds","idleCodes":[{"id","name"}]})
// is the agent-facing call this view expects; until the server has it, an admin's session reads
// the admin lists instead, and anyone else gets Available only and the documented default
// timeout (15 s), with a note saying so.

import { ApiError, get } from './api.js';

export const kDefaultRonaTimeoutSeconds = 15;

export async function loadDesktopConfig(roles) {
  try {
    const d = await get('/api/v1/me/desktop');
    return {
      idleCodes: (d.idleCodes || []).filter((c) => c.name !== 'RONA'),
      ronaTimeoutSeconds: d.ronaTimeoutSeconds || kDefaultRonaTimeoutSeconds,
      exact: true,
    };
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 405)) throw e;
  }
  if (roles.includes('admin')) {
    const codes = await get('/api/v1/idle-codes');
    return {
      idleCodes: codes.items.filter((c) => c.active !== false && !c.system),
      ronaTimeoutSeconds: kDefaultRonaTimeoutSeconds,
      exact: false,
    };
  }
  return { idleCodes: [], ronaTimeoutSeconds: kDefaultRonaTimeoutSeconds, exact: false };
}
