// What a log record that names its span keeps (the rule table is in this folder's README):
//   - a record without both a trace id and a span id keeps nothing (it has no span to go with);
//   - a content event (gen_ai.user.message, gen_ai.choice, …: core's CONTENT_EVENTS) is all
//     content: without capture it is not kept, as the same event inside a span is not;
//   - any other record keeps its name, severity, time, its attributes without content, and its body
//     when that is a log line (a string, number or boolean), a map without its content keys, and
//     nothing when it is a list;
//   - a project that captures content also keeps the record as sent, in a second row marked content.
// Both rows share a digest of the record as sent, so a retried export is stored once.

import { createHash } from 'node:crypto';
import { CONTENT_EVENTS, type SpanLog, withoutContentAttributes } from '@vigil/core';
import type { AttributeValue, DecodedLogRecord } from '../otlp/types.ts';
import { eventNameOf } from './log-calls.ts';

/** The record's body without content: a log line stays, a map loses its content keys, a list goes. */
function bodyWithoutContent(body: AttributeValue): AttributeValue {
  if (body === null || typeof body !== 'object') return body;
  if (Array.isArray(body)) return null;
  return withoutContentAttributes(body);
}

export function spanLogsOfRecord(record: DecodedLogRecord, captureContent: boolean): SpanLog[] {
  const { traceId, spanId } = record;
  if (traceId === null || spanId === null) return [];
  // An event's name; a plain log line has none (its body is not its name, as eventNameOf's fallback has it).
  const eventName = record.attributes['event.name'];
  const name = record.eventName || (typeof eventName === 'string' && eventName !== '') ? eventNameOf(record) : '';
  const sent = {
    traceId,
    spanId,
    atMs: record.timeMs,
    name,
    severity: record.severityNumber,
    body: record.body,
    attributes: record.attributes,
  };
  const digest = createHash('md5')
    .update(JSON.stringify([sent.atMs, sent.severity, name, sent.body, sent.attributes]))
    .digest('hex');
  const logs: SpanLog[] = [];
  let holdsContent = CONTENT_EVENTS.has(name);
  if (!holdsContent) {
    const attributes = withoutContentAttributes(record.attributes);
    const body = bodyWithoutContent(record.body);
    holdsContent = attributes !== record.attributes || body !== record.body;
    logs.push({ ...sent, body, attributes, content: false, digest });
  }
  if (holdsContent && captureContent) logs.push({ ...sent, content: true, digest });
  return logs;
}
