// Local stand-ins for OpenAI and Anthropic that speak their HTTP contracts closely enough for the
// official clients: real SSE streams, configurable latency, time to first token, errors and usage
// (cached and reasoning tokens included). Tests, the example app and the demo use them.
//
//   OpenAI base URL:    <url>/openai/v1
//   Anthropic base URL: <url>/anthropic
//   POST <url>/_behaviour {default?, models?} changes behaviour at run time.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicError, messages } from './anthropic.ts';
import { type BehaviourConfig, Behaviours } from './behaviour.ts';
import { Exchange } from './exchange.ts';
import { chatCompletions, embeddings, openaiError } from './openai.ts';

export interface RecordedRequest {
  provider: 'openai' | 'anthropic';
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export interface FakeProviders {
  url: string;
  openaiBaseUrl: string;
  anthropicBaseUrl: string;
  behaviours: Behaviours;
  /** The latest requests, oldest first (at most 200). */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface FakeProvidersOptions extends BehaviourConfig {
  port?: number;
  host?: string;
  /** Seeds the error draws, so a run is repeatable. */
  seed?: number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function startFakeProviders(options: FakeProvidersOptions = {}): Promise<FakeProviders> {
  const behaviours = new Behaviours(options);
  const random = rng(options.seed ?? 1);
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();

  const server: Server = createServer((request, response) => {
    const exchange = new Exchange(request, response);
    void handle(exchange).catch((error: unknown) =>
      exchange.json(400, { error: { message: (error as Error).message, type: 'invalid_request_error' } }),
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(exchange: Exchange): Promise<void> {
    const { request } = exchange;
    const path = (request.url ?? '/').split('?')[0]!;
    if (request.method !== 'POST') return exchange.json(405, { error: { message: 'POST only' } });
    const body = await readJson(request);
    if (path === '/_behaviour') {
      behaviours.configure(body as BehaviourConfig);
      return exchange.json(200, { ok: true });
    }
    const provider = path.startsWith('/openai/') ? 'openai' : path.startsWith('/anthropic/') ? 'anthropic' : null;
    if (!provider) return exchange.json(404, { error: { message: `no route ${path}` } });
    requests.push({ provider, path, headers: request.headers, body });
    if (requests.length > 200) requests.shift();
    // Anthropic's clients send the key as x-api-key (older) or as a bearer token (1.x).
    const keyed =
      /^Bearer \S+/.test(request.headers.authorization ?? '') ||
      (provider === 'anthropic' && Boolean(request.headers['x-api-key']));
    if (!keyed)
      return exchange.json(
        401,
        provider === 'openai'
          ? { error: { message: 'missing API key', type: 'invalid_request_error' } }
          : { type: 'error', error: { type: 'authentication_error', message: 'missing API key' } },
      );
    const model = String(body.model ?? '');
    const behaviour = behaviours.for(model);
    if (random() < behaviour.errorRate) return provider === 'openai' ? openaiError(exchange) : anthropicError(exchange);
    switch (path) {
      case '/openai/v1/chat/completions':
        return chatCompletions(exchange, body as never, behaviour, false);
      case '/openai/v1/completions':
        return chatCompletions(exchange, body as never, behaviour, true);
      case '/openai/v1/embeddings':
        return embeddings(exchange, body as never, behaviour);
      case '/anthropic/v1/messages':
        return messages(exchange, body as never, behaviour);
      default:
        return exchange.json(404, { error: { message: `no route ${path}` } });
    }
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    openaiBaseUrl: `${url}/openai/v1`,
    anthropicBaseUrl: `${url}/anthropic`,
    behaviours,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
