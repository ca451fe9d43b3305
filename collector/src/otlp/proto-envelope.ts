// The envelope every OTLP export request shares, whatever its signal: repeated Resource{Spans,Logs}
// (field 1), each a Resource (field 1) and repeated Scope{Spans,Logs} (field 2), each an
// InstrumentationScope (field 1) and repeated items (field 2). Read straight off the wire; the
// items are read by the signal's decoder, and the request limits are counted as it goes.

import type { DecodeState } from './decode-state.ts';
import { readKeyValue } from './proto-attributes.ts';
import { ProtoReader, WIRE_LENGTH } from './proto-reader.ts';
import type { Attributes } from './types.ts';

export interface EnvelopeScope<T> {
  scopeName: string;
  scopeVersion: string;
  items: T[];
}

export interface EnvelopeResource<T> {
  resource: Attributes;
  scopes: EnvelopeScope<T>[];
}

/** The signal's protobuf field names at each level, for the messages of malformed bodies. */
export interface EnvelopeFields {
  resources: string;
  scopes: string;
  item: string;
}

/**
 * Reads one item between reader.pos and end; null when it is rejected (the state counts it). It
 * counts itself against the request limit (state.enterItem) first: a metric counts its points.
 */
export type ItemReader<T> = (reader: ProtoReader, end: number, state: DecodeState) => T | null;

export function readEnvelope<T>(
  body: Uint8Array,
  state: DecodeState,
  fields: EnvelopeFields,
  readItem: ItemReader<T>,
): EnvelopeResource<T>[] {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const reader = new ProtoReader(buf);
  const resources: EnvelopeResource<T>[] = [];
  while (reader.pos < buf.length) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1) {
      reader.expect(tag & 7, WIRE_LENGTH, fields.resources);
      state.enterResource();
      resources.push(readResource(reader, reader.lengthEnd(), state, fields, readItem));
    } else reader.skip(tag & 7);
  }
  return resources;
}

function readResource<T>(
  reader: ProtoReader,
  end: number,
  state: DecodeState,
  fields: EnvelopeFields,
  readItem: ItemReader<T>,
): EnvelopeResource<T> {
  let resource: Attributes = {};
  const scopes: EnvelopeScope<T>[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    if (field === 1) {
      reader.expect(tag & 7, WIRE_LENGTH, 'resource');
      resource = readResourceAttributes(reader, reader.lengthEnd(), state);
    } else if (field === 2) {
      reader.expect(tag & 7, WIRE_LENGTH, fields.scopes);
      state.enterScope();
      scopes.push(readScope(reader, reader.lengthEnd(), state, fields, readItem));
    } else reader.skip(tag & 7);
  }
  return { resource, scopes };
}

function readResourceAttributes(reader: ProtoReader, end: number, state: DecodeState): Attributes {
  const attributes: Attributes = {};
  let count = 0;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1) {
      reader.expect(tag & 7, WIRE_LENGTH, 'resource attribute');
      count = readKeyValue(reader, reader.lengthEnd(), attributes, count, state.limits.maxAttributesPerSpan, state);
    } else reader.skip(tag & 7);
  }
  return attributes;
}

function readScope<T>(
  reader: ProtoReader,
  end: number,
  state: DecodeState,
  fields: EnvelopeFields,
  readItem: ItemReader<T>,
): EnvelopeScope<T> {
  let scopeName = '';
  let scopeVersion = '';
  const items: T[] = [];
  while (reader.pos < end) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    if (field === 1) {
      reader.expect(tag & 7, WIRE_LENGTH, 'scope');
      const scopeEnd = reader.lengthEnd();
      while (reader.pos < scopeEnd) {
        const scopeTag = reader.uint32();
        const scopeField = scopeTag >>> 3;
        if (scopeField === 1 && (scopeTag & 7) === WIRE_LENGTH) scopeName = reader.string();
        else if (scopeField === 2 && (scopeTag & 7) === WIRE_LENGTH) scopeVersion = reader.string();
        else reader.skip(scopeTag & 7);
      }
    } else if (field === 2) {
      reader.expect(tag & 7, WIRE_LENGTH, fields.item);
      const item = readItem(reader, reader.lengthEnd(), state);
      if (item !== null) items.push(item);
    } else reader.skip(tag & 7);
  }
  state.charge(scopeName.length + scopeVersion.length);
  return { scopeName, scopeVersion, items };
}
