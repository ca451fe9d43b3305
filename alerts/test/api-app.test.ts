// The HTTP API as one app: every route served is in the OpenAPI document and on the reference
// page, errors have one body, bodies are limited in bytes as they stream, and changes run as the
// caller so row-level security decides them.

import http from 'node:http';
import {
  createApiApp,
  createProject,
  readRoutes,
  type RunningServer,
  serveApp,
  signToken,
  withCaller,
} from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, rawHttpStatusLine, type TestDatabase } from '@vigil/testing';
import { alertsApiRoutes } from '../src/api/index.ts';
import { parseAlertsConfig } from '../src/config/load.ts';

const SECRET = 'api-app-test-secret-of-at-least-32-chars';

let db: TestDatabase;
let server: RunningServer;
let app: ReturnType<typeof createApiApp>;
let projectId: string;
let otherId: string;
let member: string;

beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'shop')).id;
  otherId = (await createProject(db.pool, 'other')).id;
  const config = parseAlertsConfig({});
  app = createApiApp({
    jwtSecret: SECRET,
    routes: [...readRoutes(db.pool), ...alertsApiRoutes({ pool: db.pool, config: () => config })],
  });
  server = await serveApp(app, '127.0.0.1', 0);
  member = await signToken({ role: 'authenticated', projectId, ttlSeconds: 600 }, SECRET);
});

afterAll(async () => {
  await server.close();
  await db.drop();
});

const served = () =>
  app.routes
    .filter((r) => r.method !== 'ALL' && !r.path.endsWith('/openapi.json') && !r.path.endsWith('/docs'))
    .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);

describe('the HTTP API', () => {
  it('documents every route it serves in its OpenAPI 3.1 document, and no other', async () => {
    const response = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toBe('3.1.0');
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
    expect(served().length).toBeGreaterThanOrEqual(20);
    expect(documented.sort()).toEqual([...new Set(served())].sort());
    const metrics = document.paths['/api/v1/metrics']!.post as {
      requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } };
    };
    expect(Object.keys(metrics.requestBody.content['application/json'].schema.properties)).toContain('groupBy');
  });

  it('renders a reference page listing every route, with nothing loaded from elsewhere', async () => {
    const response = await fetch(`${server.url}/api/v1/docs`);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    for (const route of served()) expect(html).toContain(route.split(' ')[1]!.replace(/[{}]/g, (c) => c));
    expect(html).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/);
  });

  it('answers every error with one body: { error: { code, message } }', async () => {
    const cases: [string, RequestInit, number, string][] = [
      ['/api/v1/metrics', { method: 'POST', body: '{}' }, 401, 'unauthorized'],
      ['/api/v1/nope', { method: 'POST', headers: { authorization: `Bearer ${member}` } }, 404, 'not_found'],
      ['/api/v1/metrics', { headers: { authorization: `Bearer ${member}` } }, 405, 'method_not_allowed'],
      [
        '/api/v1/metrics',
        { method: 'POST', headers: { authorization: `Bearer ${member}` }, body: '[1]' },
        400,
        'bad_request',
      ],
      [
        '/api/v1/silences',
        { method: 'POST', headers: { authorization: `Bearer ${member}` }, body: '{"minutes":5}' },
        400,
        'bad_request',
      ],
    ];
    for (const [path, init, status, code] of cases) {
      const response = await fetch(`${server.url}${path}`, init);
      expect(response.status, path).toBe(status);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.message.length).toBeGreaterThan(5);
    }
  });

  it('answers a malformed Host header with 400', async () => {
    for (const host of ['a b', '[::1', 'x:99999'])
      expect(
        await rawHttpStatusLine(
          server.url,
          `GET /api/v1/openapi.json HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
        ),
      ).toMatch(/^HTTP\/1\.1 400/);
  });

  it('authenticates before reading a body: no token gets 401 while the body has not been sent', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${server.url}/api/v1/metrics`);
      const request = http.request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'transfer-encoding': 'chunked', 'content-type': 'application/json' },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
        request.destroy();
      });
      request.on('error', (error) => {
        if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
      });
      request.flushHeaders(); // the 512 MB of the report never follow
    });
    expect(status).toBe(401);
  });

  it('stops reading a chunked body at the byte limit with 413, before the handler runs', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${server.url}/api/v1/metrics`);
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { authorization: `Bearer ${member}` },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      // 4 MB in 64 KiB chunks, with no content-length: the limit has to be counted as bytes arrive.
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const write = () => {
        while (sent < 64) {
          sent++;
          if (!request.write(chunk)) return request.once('drain', write);
        }
        request.end();
      };
      write();
    });
    expect(status).toBe(413);
  });

  it('lets row-level security decide changes: a member may silence its project, a tenant token and other projects may not', async () => {
    const call = (token: string, path: string, body: unknown) =>
      fetch(`${server.url}/api/v1${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    const created = await call(member, '/silences', { matchers: { slo: 'x' }, minutes: 5 });
    expect(created.status).toBe(201);
    const tenant = await signToken({ role: 'authenticated', projectId, tenantId: 't1', ttlSeconds: 600 }, SECRET);
    const refused = await call(tenant, '/silences', { matchers: { slo: 'x' }, minutes: 5 });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/project token/);
    expect((await call(tenant, '/deployments', { deployment: 'v9' })).status).toBe(403);
    expect((await call(member, '/deployments', { deployment: 'v9' })).status).toBe(201);
    expect((await call(tenant, '/deployments/v9/promote', {})).status).toBe(403);

    // The policies themselves, below the API: a member cannot write another project's rows.
    await expect(
      withCaller(
        db.pool,
        { role: 'authenticated', projectId },
        (client) =>
          client.query(
            `insert into alert_silences (project_id, matchers, ends_at) values ($1, '{"a":"b"}', now() + interval '1 hour')`,
            [otherId],
          ),
        { write: true },
      ),
    ).rejects.toMatchObject({ code: '42501' });
    const { rowCount } = await withCaller(
      db.pool,
      { role: 'authenticated', projectId: otherId },
      (client) => client.query(`update deployments set state = 'promoted' where project_id = $1`, [projectId]),
      { write: true },
    );
    expect(rowCount).toBe(0);
    const { rows } = await db.pool.query(`select state from deployments where project_id = $1 and name = 'v9'`, [
      projectId,
    ]);
    expect(rows[0].state).toBe('running');
  });
});
