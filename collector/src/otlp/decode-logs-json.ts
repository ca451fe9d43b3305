// OTLP/JSON ExportLogsServiceRequest → DecodedLogRecord, with the OTLP JSON mapping's values
// (json-values.ts) and the same limits as traces.

import { DecodeState, LOG_NOUNS } from './decode-state.ts';
import { acceptLogRecord, logsResult } from './log-records.ts';
import {
  arrayAt,
  enumAt,
  int64At,
  type JsonObject,
  objectAt,
  parseJsonBody,
  readAnyValue,
  readAttributes,
  stringAt,
} from './json-values.ts';
import type { DecodeLimits, DecodedLogRecord, DecodedLogs, DecodedResourceLogs } from './types.ts';

/** SeverityNumber names, for emitters that send the enum by name. */
const SEVERITY_NUMBERS: Record<string, number> = Object.fromEntries(
  ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((level, i) =>
    [0, 1, 2, 3].map((step) => [`SEVERITY_NUMBER_${level}${step === 0 ? '' : step + 1}`, i * 4 + step + 1]),
  ),
);
SEVERITY_NUMBERS.SEVERITY_NUMBER_UNSPECIFIED = 0;

export function decodeJsonLogs(body: Buffer | string, limits: DecodeLimits): DecodedLogs {
  const state = new DecodeState(limits, LOG_NOUNS);
  const request = objectAt(parseJsonBody(body, state), '(root)');
  const resourceLogs: DecodedResourceLogs[] = arrayAt(request.resourceLogs, 'resourceLogs').map((item, r) => {
    const path = `resourceLogs[${r}]`;
    state.enterResource();
    const rl = objectAt(item, path);
    const resource = rl.resource === undefined || rl.resource === null ? {} : objectAt(rl.resource, `${path}.resource`);
    return {
      resource: readAttributes(resource.attributes, `${path}.resource.attributes`, limits.maxAttributesPerSpan, state),
      scopeLogs: arrayAt(rl.scopeLogs, `${path}.scopeLogs`).map((scopeItem, s) => {
        const scopePath = `${path}.scopeLogs[${s}]`;
        state.enterScope();
        const sl = objectAt(scopeItem, scopePath);
        const scope = sl.scope === undefined || sl.scope === null ? {} : objectAt(sl.scope, `${scopePath}.scope`);
        const records: DecodedLogRecord[] = [];
        arrayAt(sl.logRecords, `${scopePath}.logRecords`).forEach((recordItem, i) => {
          state.enterItem();
          const at = `${scopePath}.logRecords[${i}]`;
          const record = readLogRecord(objectAt(recordItem, at), at, state);
          if (record) records.push(record);
        });
        const scopeName = stringAt(scope.name, `${scopePath}.scope.name`);
        const scopeVersion = stringAt(scope.version, `${scopePath}.scope.version`);
        state.charge(scopeName.length + scopeVersion.length);
        return { scopeName, scopeVersion, records };
      }),
    };
  });
  return logsResult(state, resourceLogs);
}

function readLogRecord(record: JsonObject, path: string, state: DecodeState): DecodedLogRecord | null {
  return acceptLogRecord(
    state,
    {
      timeNs: int64At(record.timeUnixNano, `${path}.timeUnixNano`),
      observedNs: int64At(record.observedTimeUnixNano, `${path}.observedTimeUnixNano`),
      severityNumber: enumAt(record.severityNumber, SEVERITY_NUMBERS, `${path}.severityNumber`),
      eventName: stringAt(record.eventName, `${path}.eventName`),
      body:
        record.body === undefined || record.body === null ? null : readAnyValue(record.body, `${path}.body`, state, 0),
      attributes: readAttributes(record.attributes, `${path}.attributes`, state.limits.maxAttributesPerSpan, state),
      traceHex: stringAt(record.traceId, `${path}.traceId`).toLowerCase(),
      spanHex: stringAt(record.spanId, `${path}.spanId`).toLowerCase(),
    },
    path,
  );
}
