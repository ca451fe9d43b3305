// A local server that speaks the part of PostgREST's HTTP contract supabase-js uses for the tests:
// /rest/v1/<table> (GET select, POST insert, PATCH update, DELETE delete) and /rest/v1/rpc/<fn>,
// JSON bodies, PGRST205 for a table it does not know. Supabase's hosted API cannot be reached here.

import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakePostgrest {
  /** The project URL to give createClient(). */
  url: string;
  /** Every request seen: method and path with query. */
  requests: { method: string; path: string }[];
  close(): Promise<void>;
}

export async function startFakePostgrest(tables: Record<string, Record<string, unknown>[]>): Promise<FakePostgrest> {
  const requests: FakePostgrest['requests'] = [];
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '/';
    requests.push({ method: request.method ?? 'GET', path });
    let body = '';
    for await (const chunk of request) body += chunk;
    const send = (status: number, payload?: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      response.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    if (!request.headers.apikey) return send(401, { message: 'No API key found in request' });
    const match = /^\/rest\/v1\/(rpc\/)?([^/?]+)/.exec(path);
    if (!match) return send(404, { message: 'not found' });
    if (match[1]) return send(200, [{ function: match[2], args: body ? JSON.parse(body) : null }]);
    const rows = tables[match[2]!];
    if (!rows) {
      return send(404, {
        code: 'PGRST205',
        details: null,
        hint: null,
        message: `Could not find the table 'public.${match[2]}' in the schema cache`,
      });
    }
    const returnsRows = String(request.headers.prefer ?? '').includes('return=representation');
    switch (request.method) {
      case 'GET':
      case 'HEAD':
        return send(200, rows);
      case 'POST': {
        const inserted = [JSON.parse(body)].flat() as Record<string, unknown>[];
        rows.push(...inserted);
        return returnsRows ? send(201, inserted) : send(201);
      }
      case 'PATCH':
      case 'DELETE':
        return send(204);
      default:
        return send(405, { message: `method ${request.method} not allowed` });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
