// The request-context helpers: what the app's handler sees inside them, for node:http, Express-style
// middleware and Next.js route handlers, and that a request Vigil cannot attribute still goes on.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentContext, vigilMiddleware, withContext, withRequestContext, withVigil } from '../src/index.ts';

beforeAll(() => {
  // What init() sets up through the Node SDK; these tests do not export anything.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => context.disable());

describe('request context', () => {
  it('follows async work inside withContext, and nests', async () => {
    await withContext({ tenantId: 'acme', userId: 'u-1' }, async () => {
      await new Promise((r) => setTimeout(r, 5));
      expect(currentContext()).toEqual({ tenantId: 'acme', userId: 'u-1', sessionId: undefined });
      await withContext({ tenantId: 'acme', sessionId: 's-2' }, async () => {
        expect(currentContext()).toEqual({ tenantId: 'acme', sessionId: 's-2', userId: 'u-1' });
      });
    });
    expect(currentContext()).toEqual({});
  });

  it('is set per request by withRequestContext on a node:http server', async () => {
    const server = createServer(
      withRequestContext(
        (request) => ({ tenantId: String(request.headers['x-tenant']), sessionId: 'from-header' }),
        async (_request, response) => {
          await new Promise((r) => setTimeout(r, 2));
          response.end(JSON.stringify(currentContext()));
        },
      ),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const [a, b] = await Promise.all(
      ['globex', 'initech'].map((tenant) => fetch(url, { headers: { 'x-tenant': tenant } }).then((r) => r.json())),
    );
    server.close();
    expect(a).toMatchObject({ tenantId: 'globex', sessionId: 'from-header' });
    expect(b).toMatchObject({ tenantId: 'initech' });
  });

  it('lets an unattributable request through Express-style middleware without a tenant', async () => {
    const middleware = vigilMiddleware(() => {
      throw new Error('no session cookie');
    });
    const seen = await new Promise((resolve) => middleware({} as never, {} as never, () => resolve(currentContext())));
    expect(seen).toEqual({});
    const invalid = vigilMiddleware(() => ({ tenantId: '' }));
    const seenInvalid = await new Promise((resolve) =>
      invalid({} as never, {} as never, () => resolve(currentContext())),
    );
    expect(seenInvalid).toEqual({});
  });

  it('wraps a Next.js route handler, passing its params through', async () => {
    const handler = withVigil(
      async (request: Request, route: { params: Promise<{ id: string }> }) =>
        Response.json({ ...currentContext(), id: (await route.params).id, method: request.method }),
      (request) => ({ tenantId: request.headers.get('x-org') ?? 'none' }),
    );
    const response = await handler(new Request('http://app/api/x', { method: 'POST', headers: { 'x-org': 'hooli' } }), {
      params: Promise.resolve({ id: '7' }),
    });
    expect(await response.json()).toMatchObject({ tenantId: 'hooli', id: '7', method: 'POST' });
  });
});
