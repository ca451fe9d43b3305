// The logs decoders against bytes from the real OpenTelemetry serializers (the ones the log
// exporters use), and against malformed records and the request limits.

import { describe, expect, it } from 'vitest';
import { context, SeverityNumber, trace, TraceFlags } from '@opentelemetry/api';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { decodeJsonLogs } from '../../src/otlp/decode-logs-json.ts';
import { decodeProtobufLogs } from '../../src/otlp/decode-logs-protobuf.ts';
import { DEFAULT_DECODE_LIMITS } from '../../src/otlp/decode-limits.ts';
import { OtlpDecodeError } from '../../src/otlp/types.ts';

const LIMITS = DEFAULT_DECODE_LIMITS;
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';

function realRecords(): ReadableLogRecord[] {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'claude-code', 'service.version': '2.1.0' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('com.anthropic.claude_code.events', '2.1.0');
  logger.emit({
    timestamp: 1_765_000_000_123,
    severityNumber: SeverityNumber.INFO,
    body: 'claude_code.api_request',
    attributes: { 'event.name': 'api_request', model: 'claude-sonnet-4-5', input_tokens: '12', cost_usd: 0.25 },
  });
  const inSpan = trace.setSpanContext(context.active(), {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
  });
  logger.emit({
    timestamp: 1_765_000_000_456,
    eventName: 'gen_ai.client.inference.operation.details',
    context: inSpan,
    body: { kind: 'structured', parts: [1, 2] },
    attributes: { 'gen_ai.usage.input_tokens': 7 },
  });
  return exporter.getFinishedLogRecords();
}

describe('the logs decoders', () => {
  it('read the same records from the real protobuf and JSON serializers', () => {
    const records = realRecords();
    const proto = decodeProtobufLogs(ProtobufLogsSerializer.serializeRequest(records)!, LIMITS);
    const json = decodeJsonLogs(Buffer.from(JsonLogsSerializer.serializeRequest(records)!), LIMITS);
    // JSON's estimate also counts what JSON.parse builds; everything else is the same.
    expect({ ...json, decodedBytes: 0 }).toEqual({ ...proto, decodedBytes: 0 });
    expect(proto.recordCount).toBe(2);
    expect(proto.rejectedRecords).toBe(0);
    const [resource] = proto.resourceLogs;
    expect(resource!.resource).toEqual({ 'service.name': 'claude-code', 'service.version': '2.1.0' });
    const [scope] = resource!.scopeLogs;
    expect(scope!.scopeName).toBe('com.anthropic.claude_code.events');
    expect(scope!.records[0]).toEqual({
      timeMs: 1_765_000_000_123,
      severityNumber: SeverityNumber.INFO,
      eventName: '',
      body: 'claude_code.api_request',
      attributes: { 'event.name': 'api_request', model: 'claude-sonnet-4-5', input_tokens: '12', cost_usd: 0.25 },
      traceId: null,
      spanId: null,
    });
    expect(scope!.records[1]).toMatchObject({
      timeMs: 1_765_000_000_456,
      eventName: 'gen_ai.client.inference.operation.details',
      body: { kind: 'structured', parts: [1, 2] },
      traceId: TRACE_ID,
      spanId: SPAN_ID,
    });
  });

  it('rejects a record with a malformed id and keeps the others, saying why', () => {
    const body = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                { timeUnixNano: '1000000', traceId: 'abc', body: { stringValue: 'bad' } },
                { timeUnixNano: '2000000', traceId: '', spanId: '', body: { stringValue: 'fine' } },
                { observedTimeUnixNano: '3000000', traceId: '0'.repeat(32), body: { stringValue: 'zero ids' } },
              ],
            },
          ],
        },
      ],
    };
    const decoded = decodeJsonLogs(Buffer.from(JSON.stringify(body)), LIMITS);
    expect(decoded.recordCount).toBe(2);
    expect(decoded.rejectedRecords).toBe(1);
    expect(decoded.rejectionReasons[0]).toMatch(/logRecords\[0\].*traceId must be empty or 16 bytes/);
    const records = decoded.resourceLogs[0]!.scopeLogs[0]!.records;
    expect(records.map((r) => [r.body, r.timeMs, r.traceId])).toEqual([
      ['fine', 2, null],
      ['zero ids', 3, null],
    ]);
  });

  it('holds the request limits, naming log records in the message', () => {
    const records = Array.from({ length: 4 }, () => ({ body: { stringValue: 'x' } }));
    const body = Buffer.from(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: records }] }] }));
    const limits = { ...LIMITS, maxSpans: 3 };
    expect(() => decodeJsonLogs(body, limits)).toThrow(OtlpDecodeError);
    expect(() => decodeJsonLogs(body, limits)).toThrow(/more than 3 log records.*VIGIL_MAX_SPANS_PER_REQUEST/);
    const proto = ProtobufLogsSerializer.serializeRequest(
      Array.from({ length: 4 }, () => realRecords()[0]!),
    ) as Uint8Array;
    expect(() => decodeProtobufLogs(proto, limits)).toThrow(/more than 3 log records/);
    expect(() => decodeProtobufLogs(Buffer.from([0x0a, 0x05, 0x12, 0x03, 0x12, 0x01]), LIMITS)).toThrow(
      OtlpDecodeError,
    );
  });
});
