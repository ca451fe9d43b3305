// What a log record that names its span keeps: the rules of normalize/span-log.ts.

import { describe, expect, it } from 'vitest';
import { spanLogsOfRecord } from '../../src/normalize/span-log.ts';
import type { DecodedLogRecord } from '../../src/otlp/types.ts';

function record(overrides: Partial<DecodedLogRecord> = {}): DecodedLogRecord {
  return {
    timeMs: 1_765_000_010_000,
    severityNumber: 9,
    eventName: '',
    body: 'retrieved 4 documents',
    attributes: { 'db.rows': 4 },
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    ...overrides,
  };
}

describe('a log record kept with its span', () => {
  it('keeps nothing of a record outside a span', () => {
    expect(spanLogsOfRecord(record({ spanId: null }), true)).toEqual([]);
    expect(spanLogsOfRecord(record({ traceId: null }), true)).toEqual([]);
  });

  it('keeps a plain log line as sent, once, whether or not content is captured', () => {
    for (const capture of [false, true]) {
      const logs = spanLogsOfRecord(record(), capture);
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatchObject({
        name: '',
        severity: 9,
        body: 'retrieved 4 documents',
        attributes: { 'db.rows': 4 },
        content: false,
        atMs: 1_765_000_010_000,
      });
    }
  });

  it('names an event by event_name or its event.name attribute, never by its body', () => {
    expect(spanLogsOfRecord(record({ eventName: 'retrieval.done' }), false)[0]!.name).toBe('retrieval.done');
    const claude = record({ body: 'claude_code.tool_result', attributes: { 'event.name': 'tool_result' } });
    expect(spanLogsOfRecord(claude, false)[0]!.name).toBe('claude_code.tool_result');
    // An empty event.name names nothing: the body stays the body.
    expect(spanLogsOfRecord(record({ attributes: { 'event.name': '' } }), false)[0]!.name).toBe('');
  });

  it('drops content attributes and a map body’s content keys, and keeps the record as sent apart only with capture', () => {
    const sent = record({
      body: { role: 'user', content: 'my secret' },
      attributes: { 'gen_ai.prompt': 'my secret', 'gen_ai.request.model': 'gpt-4o' },
    });
    const [without, asSent] = spanLogsOfRecord(sent, true);
    expect(without).toMatchObject({
      body: { role: 'user' },
      attributes: { 'gen_ai.request.model': 'gpt-4o' },
      content: false,
    });
    expect(asSent).toMatchObject({ body: sent.body, attributes: sent.attributes, content: true });
    expect(asSent!.digest).toBe(without!.digest);
    expect(spanLogsOfRecord(sent, false)).toEqual([without]);
  });

  it('keeps no list body without capture: its shape says nothing about what it holds', () => {
    const [without] = spanLogsOfRecord(record({ body: ['my secret'] }), false);
    expect(without!.body).toBeNull();
  });

  it('keeps a content event only where content is captured, and then only as content', () => {
    const choice = record({ eventName: 'gen_ai.choice', body: { index: 0, message: { content: 'my answer' } } });
    expect(spanLogsOfRecord(choice, false)).toEqual([]);
    const kept = spanLogsOfRecord(choice, true);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ name: 'gen_ai.choice', body: choice.body, content: true });
  });

  it('gives a retried record the same digest and another record a different one', () => {
    const digest = (r: DecodedLogRecord) => spanLogsOfRecord(r, false)[0]!.digest;
    expect(digest(record())).toBe(digest(record()));
    expect(digest(record({ timeMs: 1_765_000_010_001 }))).not.toBe(digest(record()));
    expect(digest(record({ severityNumber: 13 }))).not.toBe(digest(record()));
    expect(digest(record({ body: 'retrieved 5 documents' }))).not.toBe(digest(record()));
    expect(digest(record({ attributes: { 'db.rows': 5 } }))).not.toBe(digest(record()));
  });
});
