// Hook for the Teams directory search (issue 8's second part, once GET
// /api/v1/directory/teams-users is served): set directoryAvailable to true and make
// pickTeamsUser() open the search (presence dots, department, title, not-dialable reasons).
// It resolves with {teamsUserId, number, displayName} for the chosen expert, or null when the
// agent cancels. The desktop then consults or transfers to {number, teamsUserId}.

export const directoryAvailable = false;

export async function pickTeamsUser() {
  return null;
}
