// The load of bench:overload, from its own process: first a capacity phase (closed loop, 8
// exporters, good requests only), then an overload phase with arrivals on a clock at twice that
// capacity, from three projects: mostly good requests, and from the third also malformed bodies,
// decode bombs (oversized once decoded) and poison values. Good requests are retried on 429/503
// after Retry-After, at most 5 times, as OTel exporters do; past that a real exporter drops them
// (counted here, not lost by Vigil). Prints one JSON line.
//
// usage: node collector/bench/overload-send.ts <requests-file> <collector-url> <keyA,keyB,keyC> <capacity-s> <overload-s>

import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { readRequestFile } from './request-file.ts';

const [file, url, keysText, capacityText, overloadText] = process.argv.slice(2);
if (!file || !url || !keysText) {
  console.error('usage: overload-send.ts <requests-file> <collector-url> <keyA,keyB,keyC> <capacity-s> <overload-s>');
  process.exit(2);
}
const keys = keysText.split(',');
const capacitySeconds = Number(capacityText ?? 20);
const overloadSeconds = Number(overloadText ?? 60);
const MAX_IN_FLIGHT = 256;
const MAX_RETRIES = 5;

const requests = readRequestFile(file);
const spansPerRequest = Number(process.env.BENCH_SPANS_PER_REQUEST ?? 512);
const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
const target = new URL('/v1/traces', url);

interface Answer {
  status: number;
  retryAfter: number;
  bodyBytes: number;
}

function post(body: Buffer, key: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve) => {
    const request = http.request(
      target,
      {
        method: 'POST',
        agent,
        headers: { 'content-length': body.length, authorization: `Bearer ${key}`, ...headers },
      },
      (response) => {
        let bodyBytes = 0;
        response.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: Number(response.headers['retry-after'] ?? 1),
            bodyBytes,
          }),
        );
      },
    );
    request.on('error', () => resolve({ status: 0, retryAfter: 1, bodyBytes: 0 }));
    request.end(body);
  });
}

const PROTOBUF = { 'content-type': 'application/x-protobuf' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The bad requests, all from the third project.
const malformed = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]);
const resourceSpansBomb = (() => {
  const body = Buffer.alloc(66_000_000);
  for (let i = 0; i < body.length; i += 2) body[i] = 0x0a;
  return gzipSync(body, { level: 9 });
})();
const jsonBomb = gzipSync(`{"resourceSpans":[${'{},'.repeat(4_000_000)}{}]}`);
function poisonBody(n: number): Buffer {
  const now = BigInt(Date.now()) * 1_000_000n;
  const hex = (width: number) =>
    (n.toString(16) + Math.random().toString(16).slice(2)).padEnd(width, '7').slice(0, width);
  return Buffer.from(
    JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'poison' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: hex(32),
                  spanId: hex(16),
                  name: 'chat',
                  startTimeUnixNano: String(now),
                  endTimeUnixNano: String(now),
                  attributes: [
                    { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
                    { key: 'gen_ai.usage.input_tokens', value: { stringValue: '3000000000' } },
                    { key: 'gen_ai.usage.output_tokens', value: { doubleValue: 1e21 } },
                  ],
                },
                { traceId: hex(32), spanId: hex(16), name: 'x', startTimeUnixNano: '-99999999999999999999' },
              ],
            },
          ],
        },
      ],
    }),
  );
}

let nextRequest = 0;
const acknowledged: [number, number][] = [];
const statuses: Record<string, number> = {};
let crossProjectFailures = 0;
let clientDropped = 0;
let gaveUp = 0;
let retries = 0;
let acceptedSpansInOverload = 0;
const badAnswers: Record<string, number> = {};

/** A good request, retried as an exporter would; true when acknowledged. */
async function sendGood(project: number, index: number, counting: () => boolean): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const answer = await post(requests[index]!, keys[project]!, PROTOBUF);
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    if (answer.status === 200) {
      acknowledged.push([project, index]);
      // A good request answered with a partial success lost spans to someone else's bad data.
      if (answer.bodyBytes > 0) crossProjectFailures++;
      if (counting()) acceptedSpansInOverload += spansPerRequest;
      return;
    }
    if (answer.status === 429 || answer.status === 503 || answer.status === 0) {
      if (attempt >= MAX_RETRIES) {
        gaveUp++;
        return;
      }
      retries++;
      await sleep(Math.min(answer.retryAfter, 5) * 1000);
      continue;
    }
    crossProjectFailures++;
    return;
  }
}

async function sendBad(kind: string, body: Buffer, headers: Record<string, string>): Promise<void> {
  const answer = await post(body, keys[2]!, headers);
  badAnswers[`${kind} ${answer.status}`] = (badAnswers[`${kind} ${answer.status}`] ?? 0) + 1;
}

// Capacity: the overload phase's good traffic (the same three projects in turn) without the
// overload: closed loop, with enough exporters (32) to keep the write queue busy, as overload does.
const capacityStarted = performance.now();
let capacitySpans = 0;
await Promise.all(
  Array.from({ length: 32 }, async () => {
    while (performance.now() - capacityStarted < capacitySeconds * 1000) {
      const index = nextRequest++;
      const project = index % 3;
      const answer = await post(requests[index]!, keys[project]!, PROTOBUF);
      if (answer.status === 200) {
        acknowledged.push([project, index]);
        capacitySpans += spansPerRequest;
      } else if (answer.status !== 429 && answer.status !== 503) crossProjectFailures++;
    }
  }),
);
const capacitySpansPerS = capacitySpans / ((performance.now() - capacityStarted) / 1000);
process.stderr.write(
  `[bench] capacity ${Math.round(capacitySpansPerS)} spans/s; overload at twice that for ${overloadSeconds} s\n`,
);
await sleep(2000); // let the queue drain between the phases

// Overload: arrivals on a clock at twice the capacity, whatever the answers.
const arrivalsPerS = (2 * capacitySpansPerS) / spansPerRequest;
const overloadStarted = performance.now();
const overloadEnds = overloadStarted + overloadSeconds * 1000;
const inFlight = new Set<Promise<void>>();
let arrival = 0;
let exhausted = false;
while (performance.now() < overloadEnds) {
  const due = overloadStarted + (arrival / arrivalsPerS) * 1000;
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
  const slot = arrival % 20;
  arrival++;
  if (inFlight.size >= MAX_IN_FLIGHT) {
    clientDropped++;
    continue;
  }
  let work: Promise<void>;
  if (slot === 17) work = sendBad('malformed', malformed, PROTOBUF);
  else if (slot === 18)
    work =
      arrival % 40 < 20
        ? sendBad('resource-bomb', resourceSpansBomb, { ...PROTOBUF, 'content-encoding': 'gzip' })
        : sendBad('json-bomb', jsonBomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  else if (slot === 19) work = sendBad('poison', poisonBody(arrival), { 'content-type': 'application/json' });
  else {
    if (nextRequest >= requests.length) {
      exhausted = true;
      break;
    }
    work = sendGood(slot % 3, nextRequest++, () => performance.now() <= overloadEnds);
  }
  inFlight.add(work);
  work.finally(() => inFlight.delete(work));
}
const overloadSecondsRun = (performance.now() - overloadStarted) / 1000;
await Promise.all(inFlight);
agent.destroy();

console.log(
  JSON.stringify({
    capacitySpansPerS,
    overloadSeconds: overloadSecondsRun,
    acceptedSpansPerS: acceptedSpansInOverload / overloadSecondsRun,
    acknowledged,
    statuses,
    badAnswers,
    crossProjectFailures,
    clientDropped,
    gaveUp,
    retries,
    exhausted,
  }),
);
