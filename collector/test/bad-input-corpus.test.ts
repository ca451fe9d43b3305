// The hostile requests of the robustness report, at the HTTP edge of a collector with the default
// limits: each gets its 4xx (or a 200 that says what was dropped) with a message naming what was
// wrong, and the process keeps serving within its memory budget.

import { gzipSync } from 'node:zlib';
import { rawHttpStatusLine } from '@vigil/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomHex, startTestCollector, type TestCollector } from './harness.ts';
import { otlpJsonBody } from './otlp-json.ts';
import { field, protoEvent, protoRequest, protoSpan } from './otlp/proto-bytes.ts';

let t: TestCollector;
let peakRss = 0;
let sampler: NodeJS.Timeout;
const baselineRss = process.memoryUsage().rss;
beforeAll(async () => {
  t = await startTestCollector();
  sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 10);
});
afterAll(async () => {
  clearInterval(sampler);
  await t.close();
});

async function post(body: Uint8Array | string, headers: Record<string, string>) {
  const response = await fetch(`${t.url}/v1/traces`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.keyA}`, ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, text };
}

const protobuf = { 'content-type': 'application/x-protobuf' };
const gzipped = { ...protobuf, 'content-encoding': 'gzip' };

describe('the bad-input corpus', () => {
  it('33 million empty ResourceSpans in 64 KB of gzip: 413 at the resourceSpans limit', async () => {
    const body = Buffer.alloc(66_000_000);
    for (let i = 0; i < body.length; i += 2) body[i] = 0x0a;
    const compressed = gzipSync(body, { level: 9 });
    expect(compressed.length).toBeLessThan(100_000);
    const answer = await post(compressed, gzipped);
    expect(answer.status).toBe(413);
    expect(answer.text).toContain('VIGIL_MAX_RESOURCE_SPANS');
  });

  it('4 million empty resourceSpans in JSON: 413 at the memory budget, before JSON.parse', async () => {
    const body = gzipSync(`{"resourceSpans":[${'{},'.repeat(4_000_000)}{}]}`);
    const answer = await post(body, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(answer.status).toBe(413);
    expect(answer.text).toContain('VIGIL_MAX_REQUEST_MEMORY_BYTES');
  });

  it('one span with a million events in 26 KB of gzip: stored with the first 128, the rest dropped and said so', async () => {
    const event = field(11, protoEvent('tick'));
    const span = protoSpan({ traceId: Buffer.from(randomHex(16), 'hex'), spanId: Buffer.from(randomHex(8), 'hex') });
    const body = Buffer.concat([span, Buffer.concat(Array.from({ length: 1_000_000 }, () => event))]);
    const answer = await post(gzipSync(protoRequest([body])), gzipped);
    expect(answer.status).toBe(200);
    const { rows } = await t.db.pool.query(
      `select jsonb_array_length(events) as n from spans where project_id = $1 and name = 'span'`,
      [t.projectA],
    );
    expect(rows).toEqual([{ n: 128 }]);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/^vigil_span_events_dropped_total 999872$/m);
  });

  it('a malformed Host header: 400', async () => {
    for (const host of ['a b', '[::1', 'x:99999'])
      expect(
        await rawHttpStatusLine(t.url, `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`),
      ).toMatch(/^HTTP\/1\.1 400/);
  });

  it('still serves, and stayed within its memory budget through all of the above', async () => {
    const answer = await post(otlpJsonBody([{ traceId: randomHex(16), spanId: randomHex(8), name: 'after' }]), {
      'content-type': 'application/json',
    });
    expect(answer.status).toBe(200);
    // The test's own buffers (66 MB of body, its gzip) count here too; before the limits, the first
    // request alone took the process past 4 GB.
    expect((peakRss - baselineRss) / 1024 / 1024).toBeLessThan(512);
  });
});
