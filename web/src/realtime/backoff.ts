/** The first reconnect waits this long; each further failed attempt doubles it. */
export const BACKOFF_BASE_MS = 1_000;
/** No wait is ever longer than this. */
export const BACKOFF_MAX_MS = 15_000;

/**
 * How long to wait before reconnect attempt `attempt` (0 = the first retry after a drop):
 * 1 s, 2 s, 4 s, 8 s, then 15 s for every attempt after that.
 */
export function reconnectDelay(attempt: number): number {
  if (!Number.isFinite(attempt) || attempt <= 0) return BACKOFF_BASE_MS;
  // 2^4 * 1 s is already past the cap; avoid huge powers.
  const exp = Math.min(attempt, 10);
  return Math.min(BACKOFF_BASE_MS * 2 ** exp, BACKOFF_MAX_MS);
}
