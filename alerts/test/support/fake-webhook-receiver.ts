// A local HTTP receiver for webhook notifications: records what it gets and answers 200, or the
// answers it is told to give next (429 with Retry-After, 5xx, 4xx).

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any; // whatever the sender posted
}

export interface FakeWebhookReceiver {
  url(path?: string): string;
  received: ReceivedWebhook[];
  answerNext(...answers: { status: number; retryAfterS?: number }[]): void;
  close(): Promise<void>;
}

export async function startFakeWebhookReceiver(): Promise<FakeWebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const queued: { status: number; retryAfterS?: number }[] = [];
  const server = createServer(async (request, response) => {
    let raw = '';
    for await (const chunk of request) raw += chunk;
    const answer = queued.shift();
    if (answer) {
      response.writeHead(
        answer.status,
        answer.retryAfterS === undefined ? {} : { 'retry-after': String(answer.retryAfterS) },
      );
      return response.end();
    }
    received.push({ path: request.url ?? '', headers: request.headers, body: JSON.parse(raw) });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: (path = '/alerts') => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    received,
    answerNext: (...answers) => queued.push(...answers),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
