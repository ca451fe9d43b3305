// Loads a per-library fixture (../fixtures/emitters/<library>.json) as the OTLP/JSON request its
// exporter would send, and runs it through the collector's own stages: decode, normalize, price.
// The fixture format is compact on purpose: spans with attribute maps and times relative to the
// call's start, turned here into OTLP/JSON (ints as intValue strings, as the JS exporter sends).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createPriceCatalog, type Project, priceSpans, type StoredSpan } from '@vigil/core';
import { normalizeRequest } from '../../src/normalize/normalize-request.ts';
import { decodeJsonTraces } from '../../src/otlp/decode-json.ts';
import { DEFAULT_DECODE_LIMITS } from '../../src/otlp/decode-limits.ts';

type Value = string | number | boolean | Value[];

interface FixtureSpan {
  name: string;
  kind: number;
  /** Start, relative to the case's start, and length, in ms. */
  atMs: number;
  durationMs: number;
  /** Index of the parent span in this case, or absent for a child of the app's own root span. */
  parent?: number;
  attributes: Record<string, Value>;
  events?: { name: string; atMs: number }[];
}

interface FixtureCase {
  scope: { name: string; version?: string };
  resource?: Record<string, Value>;
  spans: FixtureSpan[];
}

export interface EmitterFixture {
  library: string;
  version: string;
  /** Where in the library's public source the attribute names were read. */
  source: string[];
  cases: Record<string, FixtureCase>;
}

/** When the calls happened: prices are looked up at this time. */
export const FIXTURE_START_MS = Date.parse('2026-10-01T12:00:00Z');
const TRACE_ID = 'f1'.repeat(16);
const APP_ROOT_SPAN = 'a0'.repeat(8);

function anyValue(value: Value): object {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { arrayValue: { values: value.map(anyValue) } };
}

const keyValues = (attributes: Record<string, Value>) =>
  Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));

const nanos = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
const spanId = (index: number) => (index + 1).toString(16).padStart(16, '0');

export function loadEmitterFixture(library: string): EmitterFixture {
  const file = path.join(import.meta.dirname, '../fixtures/emitters', `${library}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as EmitterFixture;
}

export function otlpJson(fixtureCase: FixtureCase): string {
  const spans = fixtureCase.spans.map((span, index) => ({
    traceId: TRACE_ID,
    spanId: spanId(index),
    parentSpanId: span.parent === undefined ? APP_ROOT_SPAN : spanId(span.parent),
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: nanos(FIXTURE_START_MS + span.atMs),
    endTimeUnixNano: nanos(FIXTURE_START_MS + span.atMs + span.durationMs),
    attributes: keyValues(span.attributes),
    events: (span.events ?? []).map((event) => ({
      name: event.name,
      timeUnixNano: nanos(FIXTURE_START_MS + event.atMs),
      attributes: [],
    })),
    status: {},
  }));
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: keyValues({ 'service.name': 'python-app', ...fixtureCase.resource }) },
        scopeSpans: [{ scope: fixtureCase.scope, spans }],
      },
    ],
  });
}

const PROJECT: Project = {
  id: '00000000-0000-0000-0000-0000000000f1',
  name: 'fixtures',
  tenantAttributeKeys: ['tenant.id'],
  captureContent: false,
  createdAt: new Date(FIXTURE_START_MS),
};

/** The case's spans as the collector would store them, priced from the bundled catalog. */
export function storedSpans(fixtureCase: FixtureCase): StoredSpan[] {
  const spans = normalizeRequest(decodeJsonTraces(otlpJson(fixtureCase), DEFAULT_DECODE_LIMITS), PROJECT);
  priceSpans(spans, createPriceCatalog());
  return spans;
}
