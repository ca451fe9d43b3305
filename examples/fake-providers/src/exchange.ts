// One request and its answer: JSON, or a server-sent event stream that notices the client leaving.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleepFor } from 'node:timers/promises';

export class Exchange {
  closed = false;
  readonly request: IncomingMessage;
  private readonly response: ServerResponse;

  constructor(request: IncomingMessage, response: ServerResponse) {
    this.request = request;
    this.response = response;
    response.on('close', () => {
      this.closed = true;
    });
  }

  json(status: number, body: unknown): void {
    if (this.closed) return;
    const text = JSON.stringify(body);
    this.response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    this.response.end(text);
  }

  startEventStream(): void {
    this.response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    this.response.flushHeaders();
  }

  /** One SSE event; a string is sent as it is (OpenAI's closing `[DONE]`). */
  event(name: string | undefined, data: unknown): void {
    if (this.closed) return;
    this.response.write(
      `${name ? `event: ${name}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`,
    );
  }

  end(): void {
    if (!this.closed) this.response.end();
  }
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? sleepFor(ms) : Promise.resolve();
}

const VOCABULARY = [
  'The',
  ' answer',
  ' depends',
  ' on',
  ' your',
  ' plan',
  ',',
  ' the',
  ' region',
  ' and',
  ' the',
  ' model',
  ' you',
  ' pick',
  '.',
];

/** n output tokens of plausible text, one a chunk. */
export function words(n: number): string[] {
  return Array.from({ length: n }, (_, i) => VOCABULARY[i % VOCABULARY.length]!);
}
