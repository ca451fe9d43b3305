// The OTLP/HTTP contract at the edge: every bad request gets the right status and a message that
// says what was wrong, and the process keeps serving.

import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestKey } from '@vigil/core';
import { startTestCollector, randomHex, type TestCollector } from './harness.ts';
import { otlpJsonBody, postJson } from './otlp-json.ts';

let t: TestCollector;
beforeAll(async () => {
  t = await startTestCollector({
    VIGIL_MAX_BODY_BYTES: 64 * 1024,
    VIGIL_MAX_DECOMPRESSED_BYTES: 256 * 1024,
    VIGIL_MAX_ATTRIBUTE_LENGTH: 100,
  });
});
afterAll(() => t.close());

async function post(
  body: string | Uint8Array,
  headers: Record<string, string>,
): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(`${t.url}/v1/traces`, { method: 'POST', headers, body });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

const auth = () => ({ authorization: `Bearer ${t.keyA}` });
const validBody = () => otlpJsonBody([{ traceId: randomHex(16), spanId: randomHex(8), name: 'ok' }]);

describe('authentication', () => {
  it('answers 401 with a reason for a missing, malformed, forged or revoked key', async () => {
    expect((await postJson(t.url, null, validBody())).status).toBe(401);
    const missing = await post(validBody(), { 'content-type': 'application/json' });
    expect(missing.text).toContain('missing ingest key');
    const forged = await post(validBody(), {
      'content-type': 'application/json',
      authorization: `Bearer vgl_${'x'.repeat(43)}`,
    });
    expect(forged.status).toBe(401);
    expect(forged.text).toContain('invalid, revoked or expired ingest key');
    expect((await post(validBody(), { 'content-type': 'application/json', authorization: 'Basic abc' })).status).toBe(
      401,
    );
  });

  it('takes an expiring key until its end and refuses it from then on, though the key cache would keep it longer', async () => {
    const { key } = await createIngestKey(t.db.pool, 'app-a', 'short-lived', { expiresInMs: 1500 });
    const send = () => postJson(t.url, key, validBody());
    expect((await send()).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const refused = await send();
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('invalid, revoked or expired ingest key');
  });

  it('accepts the key in x-vigil-key too', async () => {
    expect((await post(validBody(), { 'content-type': 'application/json', 'x-vigil-key': t.keyA })).status).toBe(200);
  });
});

describe('bodies', () => {
  it('answers 415 for an unsupported content type or encoding', async () => {
    const type = await post('x', { 'content-type': 'text/plain', ...auth() });
    expect(type.status).toBe(415);
    expect(type.text).toContain('application/x-protobuf or application/json');
    const encoding = await post(validBody(), {
      'content-type': 'application/json',
      'content-encoding': 'br',
      ...auth(),
    });
    expect(encoding.status).toBe(415);
    expect(encoding.text).toContain('content-encoding');
  });

  it('accepts gzip', async () => {
    const traceId = randomHex(16);
    const body = gzipSync(otlpJsonBody([{ traceId, spanId: randomHex(8), name: 'gz' }]));
    const response = await post(body, { 'content-type': 'application/json', 'content-encoding': 'gzip', ...auth() });
    expect(response.status).toBe(200);
    const { rows } = await t.db.pool.query('select name from spans where trace_id = $1', [traceId]);
    expect(rows).toEqual([{ name: 'gz' }]);
  });

  it('answers 413 for an oversized body and for a gzip bomb, without reading it all into memory', async () => {
    const big = await post('x'.repeat(100 * 1024), { 'content-type': 'application/json', ...auth() });
    expect(big.status).toBe(413);
    expect(big.text).toContain('over the limit');
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20)); // 50 MiB of spaces, ~50 KiB compressed
    expect(bomb.length).toBeLessThan(64 * 1024);
    const response = await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip', ...auth() });
    expect(response.status).toBe(413);
    expect(response.text).toContain('decompressed body');
  });

  it('answers 400 for a corrupt gzip stream', async () => {
    const response = await post(Buffer.from('not gzip at all'), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      ...auth(),
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('gzip');
  });

  it('answers 400 with what was wrong for malformed JSON and protobuf', async () => {
    const json = await post('{"resourceSpans": [', { 'content-type': 'application/json', ...auth() });
    expect(json.status).toBe(400);
    expect(JSON.parse(json.text).message).toMatch(/JSON/);
    const wrongType = await post('{"resourceSpans": "nope"}', { 'content-type': 'application/json', ...auth() });
    expect(wrongType.status).toBe(400);
    expect(JSON.parse(wrongType.text).message).toContain('resourceSpans');
    const proto = await post(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), {
      'content-type': 'application/x-protobuf',
      ...auth(),
    });
    expect(proto.status).toBe(400);
    expect(proto.headers.get('content-type')).toBe('application/x-protobuf');
  });

  it('answers 200 to an empty protobuf request, as the spec says', async () => {
    const response = await post(new Uint8Array(0), { 'content-type': 'application/x-protobuf', ...auth() });
    expect(response.status).toBe(200);
  });

  it('rejects only the spans with invalid ids, with partialSuccess, and stores the rest', async () => {
    const traceId = randomHex(16);
    const body = JSON.parse(
      otlpJsonBody([
        { traceId, spanId: randomHex(8), name: 'good' },
        { traceId, spanId: 'zz', name: 'bad id' },
      ]),
    );
    const response = await post(JSON.stringify(body), { 'content-type': 'application/json', ...auth() });
    expect(response.status).toBe(200);
    const parsed = JSON.parse(response.text);
    expect(Number(parsed.partialSuccess.rejectedSpans)).toBe(1);
    expect(parsed.partialSuccess.errorMessage).toMatch(/span/i);
    const { rows } = await t.db.pool.query('select name from spans where trace_id = $1', [traceId]);
    expect(rows).toEqual([{ name: 'good' }]);
  });

  it('truncates huge attribute values, counts them, and says so in partialSuccess', async () => {
    const traceId = randomHex(16);
    const body = otlpJsonBody([
      { traceId, spanId: randomHex(8), name: 'huge', attributes: { 'app.blob': 'y'.repeat(5000) } },
    ]);
    const response = await post(body, { 'content-type': 'application/json', ...auth() });
    expect(response.status).toBe(200);
    const parsed = JSON.parse(response.text);
    expect(Number(parsed.partialSuccess?.rejectedSpans ?? 0)).toBe(0);
    expect(parsed.partialSuccess.errorMessage).toContain('truncated');
    const { rows } = await t.db.pool.query(
      `select length(attributes->>'app.blob') as n from spans where trace_id = $1`,
      [traceId],
    );
    expect(rows[0].n).toBeLessThanOrEqual(100);
  });

  it('stores invalid UTF-8 as U+FFFD and drops NUL characters, which Postgres text cannot hold', async () => {
    const traceId = randomHex(16);
    const text = otlpJsonBody([
      { traceId, spanId: randomHex(8), name: 'n\u0000ul-XX', attributes: { 'app.v': 'a\u0000b' } },
    ]);
    const bytes = Buffer.from(text);
    const index = bytes.indexOf('XX');
    bytes[index] = 0xff;
    bytes[index + 1] = 0xfe;
    const response = await post(bytes, { 'content-type': 'application/json', ...auth() });
    expect(response.status).toBe(200);
    const { rows } = await t.db.pool.query(`select name, attributes->>'app.v' as v from spans where trace_id = $1`, [
      traceId,
    ]);
    expect(rows).toEqual([{ name: 'nul-\ufffd\ufffd', v: 'ab' }]);
  });
});

describe('routes', () => {
  it('answers 405 for GET /v1/traces and 404 elsewhere', async () => {
    expect((await fetch(`${t.url}/v1/traces`)).status).toBe(405);
    expect((await fetch(`${t.url}/nope`)).status).toBe(404);
  });

  it('reports health and Prometheus metrics', async () => {
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    for (const name of [
      'vigil_spans_received_total',
      'vigil_spans_stored_total',
      'vigil_spans_rejected_total',
      'vigil_spans_dropped_total',
      'vigil_queue_spans',
      'vigil_batch_duration_seconds',
    ]) {
      expect(metrics).toContain(name);
    }
  });
});
