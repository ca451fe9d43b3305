// The OTLP/gRPC contract (opentelemetry-proto's otlp.md, "OTLP/gRPC"): the key from metadata,
// INVALID_ARGUMENT for a message that cannot be read, RESOURCE_EXHAUSTED for one over the limit
// (without RetryInfo: not worth retrying), RESOURCE_EXHAUSTED or UNAVAILABLE with RetryInfo for
// backpressure and outages, and partial_success in the response, through a plain grpc-js client;
// and a bound on messages arriving at once, held open by a raw HTTP/2 client.

import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '@vigil/core';
import { startCollector } from '../src/collector.ts';
import { ProtoReader, WIRE_LENGTH, WIRE_VARINT } from '../src/otlp/proto-reader.ts';
import { RETRY_INFO_TYPE_URL } from '../src/receivers/grpc/rpc-status.ts';
import { LOGS_SERVICE, METRICS_SERVICE, TRACE_EXPORT_PATH, TRACE_SERVICE } from '../src/receivers/grpc/server.ts';
import { DEFAULT_TEST_SETTINGS, randomHex, startTestCollector, type TestCollector } from './harness.ts';
import { keyValue, protoRequest, protoSpan } from './otlp/proto-bytes.ts';

const TraceClient = grpc.makeGenericClientConstructor(TRACE_SERVICE, 'TraceService');
const LogsClient = grpc.makeGenericClientConstructor(LOGS_SERVICE, 'LogsService');
const MetricsClient = grpc.makeGenericClientConstructor(METRICS_SERVICE, 'MetricsService');

interface Answer {
  error: grpc.ServiceError | null;
  response: Buffer | null;
}

function exportCall(
  address: string,
  body: Buffer,
  key: string | null,
  gzip = false,
  Client: typeof TraceClient = TraceClient,
): Promise<Answer> {
  const client = new Client(address, grpc.credentials.createInsecure(), {
    ...(gzip ? { 'grpc.default_compression_algorithm': 2 } : {}),
    'grpc.max_send_message_length': -1,
  });
  const metadata = new grpc.Metadata();
  if (key) metadata.set('authorization', `Bearer ${key}`);
  return new Promise((resolve) => {
    (client as unknown as { Export: grpc.requestCallback<Buffer> & ((...args: unknown[]) => void) }).Export(
      body,
      metadata,
      { deadline: Date.now() + 30_000 },
      (error: grpc.ServiceError | null, response?: Buffer) => {
        client.close();
        resolve({ error, response: response ?? null });
      },
    );
  });
}

/** Length-delimited and varint fields of a protobuf message, by field number. */
function fields(bytes: Buffer): Map<number, Buffer | number> {
  const reader = new ProtoReader(bytes);
  const out = new Map<number, Buffer | number>();
  while (reader.pos < bytes.length) {
    const tag = reader.uint32();
    if ((tag & 7) === WIRE_VARINT) out.set(tag >>> 3, reader.uint32());
    else if ((tag & 7) === WIRE_LENGTH) {
      const end = reader.lengthEnd();
      out.set(tag >>> 3, bytes.subarray(reader.pos, end));
      reader.pos = end;
    } else reader.skip(tag & 7);
  }
  return out;
}

/** The RetryInfo delay (seconds) in a status's grpc-status-details-bin trailer; null when absent. */
function retryDelay(error: grpc.ServiceError): number | null {
  const details = error.metadata?.get('grpc-status-details-bin')[0];
  if (!(details instanceof Buffer)) return null;
  const status = fields(details);
  expect(status.get(1)).toBe(error.code);
  const any = fields(status.get(3) as Buffer);
  expect((any.get(1) as Buffer).toString()).toBe(RETRY_INFO_TYPE_URL);
  const delay = fields(fields(any.get(2) as Buffer).get(1) as Buffer);
  return Number(delay.get(1) ?? 0) + Number(delay.get(2) ?? 0) / 1e9;
}

const spansOf = (traceId: string, n: number) =>
  protoRequest(
    Array.from({ length: n }, (_, i) =>
      protoSpan({
        traceId: Buffer.from(traceId, 'hex'),
        spanId: Buffer.from(randomHex(8), 'hex'),
        name: `s${i}`,
        attributes: [keyValue('tenant.id', 'acme')],
      }),
    ),
  );

let t: TestCollector;
beforeAll(async () => {
  t = await startTestCollector({ VIGIL_QUEUE_MAX_SPANS: 10, VIGIL_MAX_GRPC_MESSAGE_BYTES: 256 * 1024 });
});
afterAll(() => t.close());

const storedSpans = async (traceId: string) =>
  (await t.db.pool.query('select count(*)::int as n from spans where trace_id = $1', [traceId])).rows[0].n as number;

describe('OTLP/gRPC TraceService', () => {
  it('stores a request sent with the key in metadata, and answers an empty response', async () => {
    const traceId = randomHex(16);
    const answer = await exportCall(t.collector.grpcAddress, spansOf(traceId, 3), t.keyA);
    expect(answer.error).toBeNull();
    expect(answer.response!.length).toBe(0);
    expect(await storedSpans(traceId)).toBe(3);
  });

  it('answers UNAUTHENTICATED without a key and with an unknown one, storing nothing', async () => {
    const traceId = randomHex(16);
    const missing = await exportCall(t.collector.grpcAddress, spansOf(traceId, 1), null);
    expect(missing.error?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(missing.error?.details).toContain('missing ingest key');
    const forged = await exportCall(t.collector.grpcAddress, spansOf(traceId, 1), 'vk_not_a_real_key');
    expect(forged.error?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(forged.error?.details).toContain('invalid, revoked or expired');
    expect(await storedSpans(traceId)).toBe(0);
  });

  it('answers INVALID_ARGUMENT for a message that is not an ExportTraceServiceRequest, saying what is wrong', async () => {
    const answer = await exportCall(t.collector.grpcAddress, Buffer.from([0x0a, 0xff, 0xff, 0x03, 0x01]), t.keyA);
    expect(answer.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(answer.error?.details).toMatch(/invalid protobuf body: .*runs past the end/);
    expect(retryDelay(answer.error!)).toBeNull();
  });

  it('answers RESOURCE_EXHAUSTED without RetryInfo for a message over the limit, plain or gzip', async () => {
    const big = protoRequest([protoSpan({ name: 'x'.repeat(300 * 1024) })]);
    const plain = await exportCall(t.collector.grpcAddress, big, t.keyA);
    expect(plain.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(retryDelay(plain.error!)).toBeNull();
    // A few KiB on the wire that decompress past the limit.
    const bomb = await exportCall(t.collector.grpcAddress, big, t.keyA, true);
    expect(bomb.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(bomb.error?.details).toContain('decompresses to a size larger than');
    const small = randomHex(16);
    expect((await exportCall(t.collector.grpcAddress, spansOf(small, 2), t.keyA, true)).error).toBeNull();
    expect(await storedSpans(small)).toBe(2);
    // Refused messages no longer count as arriving.
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/^vigil_grpc_calls_receiving 0$/m);
  });

  it('reports spans it rejected in partial_success and stores the others', async () => {
    const traceId = randomHex(16);
    const body = protoRequest([
      protoSpan({ traceId: Buffer.from(traceId, 'hex'), spanId: Buffer.from(randomHex(8), 'hex') }),
      protoSpan({ traceId: Buffer.from(traceId, 'hex'), spanId: Buffer.from('abcd', 'hex') }),
    ]);
    const answer = await exportCall(t.collector.grpcAddress, body, t.keyA);
    expect(answer.error).toBeNull();
    const partial = fields(fields(answer.response!).get(1) as Buffer);
    expect(partial.get(1)).toBe(1);
    expect((partial.get(2) as Buffer).toString()).toContain('spanId must be 8 bytes');
    expect(await storedSpans(traceId)).toBe(1);
  });

  it('answers RESOURCE_EXHAUSTED with RetryInfo when the queue is full, and stores the retry', async () => {
    const blocker = await t.db.pool.connect();
    await blocker.query('begin');
    await blocker.query('lock table spans in access exclusive mode');
    const first = exportCall(t.collector.grpcAddress, spansOf(randomHex(16), 8), t.keyA);
    while (t.collector.writer.queuedSpans === 0) await new Promise((r) => setTimeout(r, 10));
    const retried = randomHex(16);
    const overflow = await exportCall(t.collector.grpcAddress, spansOf(retried, 8), t.keyA);
    expect(overflow.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(retryDelay(overflow.error!)).toBeGreaterThan(0);
    await blocker.query('rollback');
    blocker.release();
    expect((await first).error).toBeNull();
    expect((await exportCall(t.collector.grpcAddress, spansOf(retried, 8), t.keyA)).error).toBeNull();
    expect(await storedSpans(retried)).toBe(8);
  });

  it('answers UNAVAILABLE with RetryInfo when the database is unreachable', async () => {
    const deadPool = createPool('postgres://vigil:wrong@127.0.0.1:1/none');
    const collector = await startCollector(DEFAULT_TEST_SETTINGS, deadPool);
    try {
      const answer = await exportCall(collector.grpcAddress, spansOf(randomHex(16), 1), t.keyA);
      expect(answer.error?.code).toBe(grpc.status.UNAVAILABLE);
      expect(answer.error?.details).toContain('database unavailable');
      expect(retryDelay(answer.error!)).toBeGreaterThan(0);
    } finally {
      await collector.close();
      await deadPool.end();
    }
  });

  it('bounds the messages arriving at once: past the limit a call gets RESOURCE_EXHAUSTED with RetryInfo', async () => {
    // 2 MiB for messages in flight, 1 MiB each: two may be arriving at once.
    const small = await startCollector(
      {
        ...DEFAULT_TEST_SETTINGS,
        VIGIL_MAX_GRPC_MESSAGE_BYTES: 1024 * 1024,
        VIGIL_MAX_INFLIGHT_BYTES: 2 * 1024 * 1024,
      },
      t.db.pool,
    );
    const session = http2.connect(`http://${small.grpcAddress}`);
    try {
      const receiving = async () =>
        Number(/^vigil_grpc_calls_receiving (\S+)/m.exec(await (await fetch(`${small.url}/metrics`)).text())?.[1]);
      // Two calls that announce a 500 KB message and send 10 bytes of it, then stall.
      const stalled = [0, 1].map(() => {
        const stream = session.request({
          ':method': 'POST',
          ':path': TRACE_EXPORT_PATH,
          'content-type': 'application/grpc',
          te: 'trailers',
          authorization: `Bearer ${t.keyA}`,
        });
        const prefix = Buffer.alloc(5);
        prefix.writeUInt32BE(500_000, 1);
        stream.write(Buffer.concat([prefix, Buffer.alloc(10)]));
        stream.on('error', () => {});
        return stream;
      });
      while ((await receiving()) < 2) await new Promise((r) => setTimeout(r, 10));
      const refused = await exportCall(small.grpcAddress, spansOf(randomHex(16), 1), t.keyA);
      expect(refused.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(refused.error?.details).toContain('too many messages arriving at once');
      expect(retryDelay(refused.error!)).toBeGreaterThan(0);
      // Once they give up, calls are taken again.
      for (const stream of stalled) stream.close(http2.constants.NGHTTP2_CANCEL);
      while ((await receiving()) > 0) await new Promise((r) => setTimeout(r, 10));
      const traceId = randomHex(16);
      expect((await exportCall(small.grpcAddress, spansOf(traceId, 2), t.keyA)).error).toBeNull();
      expect(await storedSpans(traceId)).toBe(2);
    } finally {
      session.destroy();
      await small.close();
    }
  });

  it('counts calls by code in /metrics', async () => {
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/vigil_grpc_requests_total\{service="trace",code="OK"\} [1-9]/);
    expect(metrics).toMatch(/vigil_grpc_requests_total\{service="trace",code="UNAUTHENTICATED"\} 2/);
    expect(metrics).toMatch(/vigil_grpc_requests_total\{service="trace",code="INVALID_ARGUMENT"\} 1/);
  });
});

/** A length-delimited protobuf field (field numbers below 16, short messages). */
const field = (number: number, bytes: Buffer) => Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);

describe('OTLP/gRPC LogsService', () => {
  const logsCall = (body: Buffer, key: string | null) =>
    exportCall(t.collector.grpcAddress, body, key, false, LogsClient);
  // ExportLogsServiceRequest { resource_logs { scope_logs { log_records… } } }
  const logsRequest = (...records: Buffer[]) => field(1, field(2, Buffer.concat(records.map((r) => field(2, r)))));
  const bodyRecord = (text: string) => field(5, field(1, Buffer.from(text)));

  it('answers UNAUTHENTICATED without a key and INVALID_ARGUMENT for a message it cannot read', async () => {
    expect((await logsCall(logsRequest(bodyRecord('x')), null)).error?.code).toBe(grpc.status.UNAUTHENTICATED);
    const broken = await logsCall(Buffer.from([0x0a, 0xff, 0xff, 0x03, 0x01]), t.keyA);
    expect(broken.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('reports a record with a malformed trace id in partial_success (rejected_log_records) and takes the rest', async () => {
    const answer = await logsCall(
      logsRequest(Buffer.concat([field(9, Buffer.from([1, 2, 3])), bodyRecord('bad')]), bodyRecord('fine')),
      t.keyA,
    );
    expect(answer.error).toBeNull();
    const partial = fields(fields(answer.response!).get(1) as Buffer);
    expect(partial.get(1)).toBe(1);
    expect((partial.get(2) as Buffer).toString()).toMatch(/1 log records rejected: log record 0.*traceId/);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/vigil_grpc_requests_total\{service="logs",code="OK"\} [1-9]/);
  });
});

describe('OTLP/gRPC MetricsService', () => {
  const metricsCall = (body: Buffer, key: string | null) =>
    exportCall(t.collector.grpcAddress, body, key, false, MetricsClient);
  // ExportMetricsServiceRequest { resource_metrics { scope_metrics { metrics { name, sum { data_points… } } } } }
  const sumRequest = (...points: Buffer[]) =>
    field(
      1,
      field(
        2,
        field(
          2,
          Buffer.concat([
            field(1, Buffer.from('gen_ai.client.inference.usage.input_tokens')),
            field(7, Buffer.concat(points.map((p) => field(1, p)))),
          ]),
        ),
      ),
    );
  /** A NumberDataPoint: time_unix_nano (fixed64, field 3) and as_int (sfixed64, field 6). */
  const point = (timeNs: bigint, value: bigint) => {
    const bytes = Buffer.alloc(18);
    bytes[0] = (3 << 3) | 1;
    bytes.writeBigUInt64LE(timeNs, 1);
    bytes[9] = (6 << 3) | 1;
    bytes.writeBigInt64LE(value, 10);
    return bytes;
  };

  it('answers UNAUTHENTICATED without a key and INVALID_ARGUMENT for a message it cannot read', async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    expect((await metricsCall(sumRequest(point(now, 5n)), null)).error?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await metricsCall(Buffer.from([0x0a, 0xff, 0xff, 0x03, 0x01]), t.keyA)).error?.code).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
  });

  it('reports a point without a time in partial_success (rejected_data_points) and takes the rest', async () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const answer = await metricsCall(sumRequest(point(0n, 5n), point(now, 7n)), t.keyA);
    expect(answer.error).toBeNull();
    const partial = fields(fields(answer.response!).get(1) as Buffer);
    expect(partial.get(1)).toBe(1);
    expect((partial.get(2) as Buffer).toString()).toMatch(/1 data points rejected: .*time_unix_nano is required/);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/vigil_grpc_requests_total\{service="metrics",code="OK"\} [1-9]/);
  });
});
