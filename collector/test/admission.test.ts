// Admission before decode: a request that will not fit is refused from its headers, before its
// body is read, so refusing overload costs almost nothing.

import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admission } from '../src/pipeline/admission.ts';
import { randomHex, startTestCollector, type TestCollector } from './harness.ts';
import { otlpJsonBody, postJson } from './otlp-json.ts';

const OPTIONS = {
  maxQueueSpans: 1000,
  maxInflightBytes: 10_000_000,
  maxSpansPerRequest: 5000,
  maxDecodedBytesPerRequest: 5_000_000,
};

describe('admission from the request headers', () => {
  it('admits a request of any size when nothing else waits', () => {
    const admission = new Admission(OPTIONS, () => 0);
    expect(admission.admit({ wireBytes: 16_000_000, format: 'protobuf', gzip: true }).admitted).toBe(true);
  });

  it('refuses a request whose likely spans do not fit beside those queued and reserved', () => {
    let queued = 900;
    const admission = new Admission(OPTIONS, () => queued);
    // 250 bytes of plain protobuf per span at first: 50 KB is about 200 spans, over the 100 left.
    const refused = admission.admit({ wireBytes: 50_000, format: 'protobuf', gzip: false });
    expect(refused).toMatchObject({ admitted: false, retryAfterSeconds: 1 });
    expect(refused.admitted === false && refused.reason).toContain('ingest queue full');
    queued = 0;
    const first = admission.admit({ wireBytes: 50_000, format: 'protobuf', gzip: false });
    expect(first.admitted).toBe(true);
    expect(admission.reserved.spans).toBe(200);
  });

  it('learns spans per byte from decoded requests, and frees the reservation once queued', () => {
    const admission = new Admission(OPTIONS, () => 0);
    for (let i = 0; i < 30; i++) {
      const result = admission.admit({ wireBytes: 100_000, format: 'json', gzip: false });
      if (!result.admitted) throw new Error('refused');
      result.ticket.settle(1000, 300_000); // 100 bytes per span, much denser than the prior
      result.ticket.release();
      result.ticket.release();
    }
    expect(admission.reserved).toEqual({ spans: 0, bytes: 0 });
    const next = admission.admit({ wireBytes: 100_000, format: 'json', gzip: false });
    expect(next.admitted).toBe(true);
    expect(admission.reserved.spans).toBeGreaterThan(950);
  });

  it('refuses when the memory of requests decoding at once would pass the budget', () => {
    const admission = new Admission({ ...OPTIONS, maxQueueSpans: 100_000, maxInflightBytes: 4_000_000 }, () => 0);
    const shape = { wireBytes: 1_000_000, format: 'protobuf' as const, gzip: false };
    expect(admission.admit(shape).admitted).toBe(true); // 3 MB estimated
    const second = admission.admit(shape);
    expect(second.admitted === false && second.reason).toContain('too many requests decoding at once');
  });
});

describe('the receiver refuses overload before reading the body', () => {
  let t: TestCollector;
  beforeAll(async () => {
    t = await startTestCollector({ VIGIL_QUEUE_MAX_SPANS: 20 });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After to a request whose body has not been sent yet', async () => {
    const blocker = await t.db.pool.connect();
    await blocker.query('begin');
    await blocker.query('lock table spans in access exclusive mode');
    const traceId = randomHex(16);
    const held = postJson(
      t.url,
      t.keyA,
      otlpJsonBody(Array.from({ length: 15 }, (_, i) => ({ traceId, spanId: randomHex(8), name: `s${i}` }))),
    );
    while (t.collector.writer.queuedSpans === 0) await new Promise((r) => setTimeout(r, 10));
    const received = await spansReceived();

    const { status, retryAfter } = await new Promise<{ status: number; retryAfter: string | undefined }>(
      (resolve, reject) => {
        const url = new URL(`${t.url}/v1/traces`);
        const request = httpRequest({
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/x-protobuf',
            'content-length': 5_000_000,
            authorization: `Bearer ${t.keyB}`,
          },
        });
        request.on('response', (response) => {
          resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'] });
          response.resume();
          request.destroy();
        });
        request.on('error', (error) => {
          if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
        });
        request.flushHeaders(); // headers only: the 5 MB never follow
      },
    );
    expect(status).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(await spansReceived()).toBe(received);

    await blocker.query('rollback');
    blocker.release();
    expect((await held).status).toBe(200);
  });

  async function spansReceived(): Promise<number> {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    return Number(/^vigil_spans_received_total (\d+)/m.exec(text)?.[1] ?? Number.NaN);
  }
});
