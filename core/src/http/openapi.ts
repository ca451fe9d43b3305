// The OpenAPI 3.1 document of the API, built from the same route list the app serves and the same
// zod schemas it validates with (zod's own JSON Schema output: OpenAPI 3.1 uses JSON Schema 2020-12).

import { rolesThatCan } from '../access/roles.ts';
import { z } from 'zod';
import type { ApiRoute } from './route.ts';

type Json = Record<string, unknown>;

const ERROR_SCHEMA: Json = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
};

function jsonSchema(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Json;
  return rest;
}

/** Hono's /deployments/:name/promote is OpenAPI's /deployments/{name}/promote. */
const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

function parameters(route: ApiRoute): Json[] {
  const list: Json[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const object = jsonSchema(schema) as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      list.push({
        name,
        in: where,
        required: where === 'path' || (object.required ?? []).includes(name),
        schema: property,
        ...(typeof property.description === 'string' ? { description: property.description } : {}),
      });
    }
  }
  return list;
}

export function openApiDocument(routes: readonly ApiRoute[], basePath: string): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const responses: Json = {
      200: { description: 'the answer, as JSON' },
      ...Object.fromEntries(
        Object.entries(route.responses ?? {}).map(([status, description]) => [status, { description }]),
      ),
      400: {
        description: 'the request was invalid; the message says how',
        content: { 'application/json': { schema: ERROR_SCHEMA } },
      },
      401: {
        description: 'no token, or a forged or expired one',
        content: { 'application/json': { schema: ERROR_SCHEMA } },
      },
      403: {
        description: `the token's role may not do this (roles that may: ${rolesThatCan(route.access).join(', ')})`,
        content: { 'application/json': { schema: ERROR_SCHEMA } },
      },
      ...(route.method === 'post'
        ? { 413: { description: 'body over the limit', content: { 'application/json': { schema: ERROR_SCHEMA } } } }
        : {}),
    };
    const routeParameters = parameters(route);
    const operation: Json = {
      summary: route.summary,
      'x-vigil-roles': rolesThatCan(route.access),
      tags: [route.tag],
      security: [{ bearer: [] }],
      ...(routeParameters.length ? { parameters: routeParameters } : {}),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } } }
        : {}),
      responses,
    };
    const path = basePath + openApiPath(route.path);
    paths[path] = { ...(paths[path] ?? {}), [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vigil API',
      version: '1',
      description:
        'SLOs, cost, traces, deployments and rollout gates. Every call takes a bearer token (a Supabase-style JWT: ' +
        '`vigil tokens create --role <role>`, or a Supabase Auth session of a project member, choosing among several ' +
        'projects with X-Vigil-Project); the role decides which operations it may call, row-level security what it sees.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  };
}
