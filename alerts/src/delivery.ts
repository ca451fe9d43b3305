// What a notification sender reports back to the outbox: sent, or when to try again, or never.

export type SendOutcome = { ok: true } | { ok: false; retryAfterMs: number; error: string; permanent: boolean };

/** Exponential backoff with full jitter: up to 0.5 s, 1 s, 2 s, … capped at 30 s. */
export function backoff(attempt: number): number {
  const cap = Math.min(30_000, 500 * 2 ** attempt);
  return Math.round(cap / 2 + (Math.random() * cap) / 2);
}

/** Retry-After in seconds (the form Slack and most receivers use), or a second when it is missing. */
export function retryAfterMs(header: string | null): number {
  const seconds = Number(header);
  return header !== null && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
}
