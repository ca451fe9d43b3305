// Postgres COPY text format, written by hand: it is the hot path of ingest. Each value is escaped
// per the COPY rules (backslash, tab, newline, carriage return), null is \N.

const NEEDS_ESCAPE = /[\\\t\n\r\0]/;

// Postgres text cannot hold NUL at all, so it is dropped rather than failing the whole batch.
export function copyText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r\0]/g, (ch) =>
    ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : '',
  );
}

export function copyNumber(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '\\N' : String(value);
}

/**
 * JSON for a jsonb column. jsonb refuses two escapes that JSON.stringify can emit: \u0000 (dropped)
 * and lone surrogates (JSON.stringify writes every lone one as \udXXX; they become U+FFFD).
 */
export function copyJson(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  return copyText(jsonbText(value));
}

/** JSON text a jsonb parameter or column takes (see copyJson). */
export function jsonbText(value: unknown): string {
  const json = JSON.stringify(value);
  return JSONB_UNSAFE.test(json) ? json.replace(JSONB_UNSAFE_ESCAPE, makeJsonbSafe) : json;
}

const JSONB_UNSAFE = /\\u(?:0000|d[89a-f])/i;
const JSONB_UNSAFE_ESCAPE = /(\\+)u(0000|d[89a-f][0-9a-f]{2})/gi;

function makeJsonbSafe(match: string, slashes: string, code: string): string {
  // An even run of backslashes is escaped backslashes followed by plain text "u…": leave it.
  if (slashes.length % 2 === 0) return match;
  return slashes.slice(1) + (code === '0000' ? '' : '\\ufffd');
}

// Timestamps in microseconds, UTC. Formatting a Date for every span is measurable on the hot
// path, so the date part is cached per day and the time of day is formatted by hand.
let cachedDay = Number.NaN;
let cachedDayPrefix = '';
const pad2 = (n: number) => (n < 10 ? '0' + n : String(n));

export function copyTimestamp(epochMs: number): string {
  if (!Number.isFinite(epochMs)) return '\\N';
  const totalMicros = Math.round(epochMs * 1000);
  const day = Math.floor(totalMicros / 86_400_000_000);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayPrefix = new Date(day * 86_400_000).toISOString().slice(0, 10) + ' ';
  }
  const micros = totalMicros - day * 86_400_000_000;
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = String(micros - seconds * 1_000_000).padStart(6, '0');
  return (
    cachedDayPrefix +
    pad2(Math.floor(seconds / 3600)) +
    ':' +
    pad2(Math.floor(seconds / 60) % 60) +
    ':' +
    pad2(seconds % 60) +
    '.' +
    fraction +
    '+00'
  );
}

/** A bytea value in COPY text: hex, with the backslash itself escaped for COPY. */
export function copyBytea(value: Uint8Array | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  return '\\\\x' + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
}
