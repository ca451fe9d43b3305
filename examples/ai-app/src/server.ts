// POST /api/answer {question}, with the caller's tenant, session and user in x-tenant-id,
// x-session-id and x-user-id (an auth layer would set them; the demo's load generator does).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setSurface, withRequestContext } from '@vigil/sdk';
import { ZodError } from 'zod';
import { type Orchestrator, RateLimited } from './orchestrator.ts';

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function readJson(request: IncomingMessage, limit = 64 * 1024): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

export function createAppServer(orchestrator: Orchestrator): Server {
  const contextFrom = (request: IncomingMessage) => {
    const tenantId = header(request, 'x-tenant-id');
    return tenantId
      ? { tenantId, sessionId: header(request, 'x-session-id'), userId: header(request, 'x-user-id') }
      : undefined;
  };
  return createServer(
    withRequestContext(contextFrom, async (request, response) => {
      if (request.url !== '/api/answer') return send(response, 404, { error: 'not found' });
      setSurface('/api/answer');
      if (request.method !== 'POST') return send(response, 405, { error: 'POST only' });
      try {
        const body = await readJson(request);
        const answer = await orchestrator.answer(body, header(request, 'x-user-id') ?? 'anonymous');
        send(response, 200, answer);
      } catch (error) {
        if (error instanceof ZodError)
          return send(response, 400, { error: error.issues[0]?.message ?? 'invalid request' });
        if (error instanceof SyntaxError) return send(response, 400, { error: 'body is not JSON' });
        if (error instanceof RateLimited) return send(response, 429, { error: error.message });
        send(response, 502, { error: `no model answered: ${(error as Error).message}` });
      }
    }),
  );
}
