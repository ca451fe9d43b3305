// Numbers as the dashboard shows them, and as its CSV exports write them: the same functions, so a
// table and its export always agree.

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.round(ms)} ms`;
}

export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '—';
  if (usd !== 0 && Math.abs(usd) < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A unit cost (per request, call or session): cents alone would round most of them to $0.01. */
export function formatUnitUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '—';
  if (usd === 0 || Math.abs(usd) >= 1) return formatUsd(usd);
  return `$${Math.abs(usd) >= 0.0001 ? usd.toFixed(4) : usd.toPrecision(2)}`;
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return Math.round(n).toLocaleString('en-US');
}

/**
 * RFC 4180: quote fields with commas, quotes or line breaks; double the quotes. A text cell that a
 * spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage return: a
 * tenant or session named by the watched app can) gets a leading ' as OWASP recommends, so it is
 * shown as text. Numbers are left as they are.
 */
export function toCsv(header: string[], rows: (string | number)[][]): string {
  const field = (v: string | number) => {
    const text = typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [header, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

/** "2026-12-15 14:00": an ISO time to the minute, as the dashboard shows UTC times. */
export function formatUtcMinute(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

/** "11:45 UTC, 2h 45m ago": when something started, readable at a glance on call. */
export function formatSince(iso: string, nowMs: number): string {
  const at = new Date(iso);
  const minutes = Math.max(0, Math.floor((nowMs - at.getTime()) / 60_000));
  const ago =
    minutes < 1
      ? 'just now'
      : minutes < 60
        ? `${minutes}m ago`
        : minutes < 48 * 60
          ? `${Math.floor(minutes / 60)}h ${minutes % 60}m ago`
          : `${Math.floor(minutes / 1440)}d ago`;
  const sameDay = nowMs - at.getTime() < 86_400_000 && new Date(nowMs).getUTCDate() === at.getUTCDate();
  return `${sameDay ? at.toISOString().slice(11, 16) : formatUtcMinute(at.toISOString())} UTC, ${ago}`;
}

/** OTLP SeverityNumber as its level: 1–4 TRACE, 5–8 DEBUG, 9–12 INFO, 13–16 WARN, 17–20 ERROR, 21–24 FATAL. */
export function formatSeverity(severity: number): string {
  if (severity < 1 || severity > 24) return 'LOG';
  return ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'][Math.floor((severity - 1) / 4)]!;
}
