/** The signed-in user and organisation. */
export const ME_KEY = ["me"] as const;

/** "Is anyone signed in?", asked by the public pages. */
export const SESSION_PROBE_KEY = ["session-probe"] as const;

export function inviteLookupKey(token: string) {
  return ["invite-lookup", token] as const;
}
