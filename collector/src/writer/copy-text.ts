// Postgres COPY text format, written by hand: it is the hot path of ingest. Each value is escaped
// per the COPY rules (backslash, tab, newline, carriage return), null is \N.

const NEEDS_ESCAPE = /[\\\t\n\r]/;

export function copyText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r'));
}

export function copyNumber(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '\\N' : String(value);
}

/** JSON for a jsonb column. Postgres rejects \u0000 in jsonb, so it is dropped. */
export function copyJson(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  let json = JSON.stringify(value);
  if (json.includes('\\u0000')) json = json.replace(/\\u0000/g, '');
  return copyText(json);
}

export function copyTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
