// Signed webhooks: HMAC-SHA256 over "<timestamp>.<body>", sent as
//   X-Vigil-Timestamp: <unix seconds>
//   X-Vigil-Signature: v1=<hex>
// Receivers verify with verifySignature(): a wrong signature, a missing header, or a timestamp
// outside the tolerance (a replay of an old request) is refused. The Idempotency-Key header lets a
// receiver also drop an exact repeat inside the tolerance.

import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-vigil-timestamp';
export const SIGNATURE_HEADER = 'x-vigil-signature';
export const DEFAULT_TOLERANCE_S = 300;

export function sign(secret: string, timestampS: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}

export function signedHeaders(secret: string, body: string, nowMs = Date.now()): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: sign(secret, timestamp, body) };
}

export type Verification = { ok: true } | { ok: false; reason: string };

export function verifySignature(
  secret: string,
  headers: Headers | Record<string, string | undefined>,
  body: string,
  nowMs = Date.now(),
  toleranceS = DEFAULT_TOLERANCE_S,
): Verification {
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : (headers[name] ?? null)) ?? null;
  const timestampText = get(TIMESTAMP_HEADER);
  const signature = get(SIGNATURE_HEADER);
  if (!timestampText || !signature) return { ok: false, reason: 'missing signature headers' };
  const timestamp = Number(timestampText);
  if (!Number.isInteger(timestamp)) return { ok: false, reason: 'bad timestamp' };
  if (Math.abs(nowMs / 1000 - timestamp) > toleranceS)
    return { ok: false, reason: 'timestamp outside tolerance (replayed or clock skew)' };
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: 'signature mismatch' };
  return { ok: true };
}
