/** The signed-in user and organisation. */
export const ME_KEY = ["me"] as const;

export function inviteLookupKey(token: string) {
  return ["invite-lookup", token] as const;
}
