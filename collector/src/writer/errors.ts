// Which database failures are worth a retry by the exporter (answered 503) and which are not.

const TRANSIENT_SQLSTATE_CLASSES = ['08', '53', '57', '58'];
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03']);

export function isTransientDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return TRANSIENT_SQLSTATES.has(code) || TRANSIENT_SQLSTATE_CLASSES.includes(code.slice(0, 2));
  }
  // No SQLSTATE: the connection itself failed (refused, reset, terminated, timed out).
  return true;
}

/** Values Postgres refuses (SQLSTATE class 22 data exception, 23 constraint, 54 program limit). */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['22', '23', '54'].includes(code.slice(0, 2));
}

/**
 * A request whose spans the database refused even when written alone: the request's own fault, so
 * a 400 (when none of its spans was stored) that the exporter does not retry.
 */
export class SpansRefusedError extends Error {
  override name = 'SpansRefusedError';
}

export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}
