// A local server that behaves like a Slack incoming webhook: `ok` as plain text on success, 429
// with Retry-After (and Slack's rate_limited body) when told or when posts come faster than the
// allowed rate, 5xx when told, 404 no_service for an unknown hook, 400 for a payload without text.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedMessage {
  hook: string;
  at: number;
  body: { text?: string; blocks?: { type: string; text?: { text: string } }[] };
}

export interface FakeSlack {
  url(hook?: string): string;
  received: ReceivedMessage[];
  /** Queue answers for the next posts: 429 (with Retry-After seconds) or a 5xx status. */
  failNext(...answers: ({ status: 429; retryAfterS: number } | { status: 500 | 502 | 503 })[]): void;
  /** Enforce a minimum gap between posts to one hook, answering 429 to faster posts. */
  enforceIntervalMs: number;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  close(): Promise<void>;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const received: ReceivedMessage[] = [];
  const queued: ({ status: 429; retryAfterS: number } | { status: 500 | 502 | 503 })[] = [];
  const lastPost = new Map<string, number>();
  const fake: FakeSlack = {
    url: (hook = 'T000/B000/XXXX') => `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/${hook}`,
    received,
    failNext: (...answers) => queued.push(...answers),
    enforceIntervalMs: 0,
    async waitFor(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`fake Slack got ${received.length} messages, wanted ${count}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return received;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer(async (request, response) => {
    let raw = '';
    for await (const chunk of request) raw += chunk;
    const hook = (request.url ?? '').replace(/^\/services\//, '');
    const reply = (status: number, body: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'text/html', ...headers });
      response.end(body);
    };
    if (request.method !== 'POST' || !(request.url ?? '').startsWith('/services/')) return reply(404, 'no_service');
    const now = Date.now();
    const answer = queued.shift();
    if (
      answer?.status === 429 ||
      (fake.enforceIntervalMs > 0 && now - (lastPost.get(hook) ?? 0) < fake.enforceIntervalMs)
    ) {
      const retryAfterS = answer?.status === 429 ? answer.retryAfterS : 1;
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfterS) });
      return response.end(JSON.stringify({ retry_after: retryAfterS, ok: false, error: 'rate_limited' }));
    }
    if (answer) return reply(answer.status, 'internal_error');
    let body: ReceivedMessage['body'];
    try {
      body = JSON.parse(raw);
    } catch {
      return reply(400, 'invalid_payload');
    }
    if (!body.text && !body.blocks) return reply(400, 'no_text');
    lastPost.set(hook, now);
    received.push({ hook, at: now, body });
    reply(200, 'ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return fake;
}
