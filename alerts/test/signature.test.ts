// Signed rollback webhooks: what a receiver must accept and refuse.

import { describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, signedHeaders, verifySignature } from '../src/hooks/signature.ts';

const SECRET = 'shared-secret';
const BODY = JSON.stringify({ event: 'vigil.rollback', deployment: 'v42' });
const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('webhook signatures', () => {
  it('accepts a request signed with the shared secret within five minutes', () => {
    expect(verifySignature(SECRET, signedHeaders(SECRET, BODY, NOW), BODY, NOW + 60_000)).toEqual({ ok: true });
    expect(verifySignature(SECRET, new Headers(signedHeaders(SECRET, BODY, NOW)), BODY, NOW)).toEqual({ ok: true });
  });

  it('refuses a changed body, another secret, a forged signature and missing headers', () => {
    const headers = signedHeaders(SECRET, BODY, NOW);
    expect(verifySignature(SECRET, headers, BODY.replace('v42', 'v41'), NOW)).toEqual({
      ok: false,
      reason: 'signature mismatch',
    });
    expect(verifySignature('other-secret', headers, BODY, NOW)).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(verifySignature(SECRET, { ...headers, [SIGNATURE_HEADER]: 'v1=deadbeef' }, BODY, NOW)).toEqual({
      ok: false,
      reason: 'signature mismatch',
    });
    expect(verifySignature(SECRET, { [TIMESTAMP_HEADER]: headers[TIMESTAMP_HEADER] }, BODY, NOW)).toEqual({
      ok: false,
      reason: 'missing signature headers',
    });
  });

  it('refuses a replay of an old request, even with its valid signature, and a moved timestamp', () => {
    const old = signedHeaders(SECRET, BODY, NOW - 10 * 60_000);
    expect(verifySignature(SECRET, old, BODY, NOW)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/outside tolerance/),
    });
    // Moving the timestamp forward to get past the check breaks the signature.
    const moved = { ...old, [TIMESTAMP_HEADER]: String(Math.floor(NOW / 1000)) };
    expect(verifySignature(SECRET, moved, BODY, NOW)).toEqual({ ok: false, reason: 'signature mismatch' });
  });

  it('signs "<timestamp>.<body>" with HMAC-SHA256, hex, as documented', () => {
    // echo -n '1795435200.{"a":1}' | openssl dgst -sha256 -hmac shared-secret
    expect(sign(SECRET, 1795435200, '{"a":1}')).toBe(
      'v1=2186161751d7bb4f9862b521419d46e4bd7479a604c873b02316367fdb272630',
    );
    expect(sign(SECRET, 1795435200, '{"a":1}')).not.toBe(sign(SECRET, 1795435201, '{"a":1}'));
  });
});
