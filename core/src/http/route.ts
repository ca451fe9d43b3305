// One route of the API, as data: its method and path, what it takes (validated with zod before the
// handler runs) and what it does. The Hono app mounts these and the OpenAPI document is built from
// the same list, so a route cannot be served without being documented, or the other way round.

import type { Context } from 'hono';
import type { z } from 'zod';
import type { Capability } from '../access/roles.ts';
import type { Caller } from '../query/caller.ts';

export interface RouteInput<Body, Query, Params> {
  caller: Caller;
  body: Body;
  query: Query;
  params: Params;
  context: Context;
}

/** What a handler returns: a status and a JSON body (200 when only a body is given). */
export type RouteResult = { status: 200 | 201 | 409 | 425 | 503; body: unknown } | { body: unknown };

export interface ApiRoute<Body = unknown, Query = unknown, Params = unknown> {
  method: 'get' | 'post';
  /** Under /api/v1, in Hono's syntax: /deployments/:name/promote. */
  path: string;
  summary: string;
  tag: string;
  /** What the caller's role must allow (access/roles.ts); others get 403 saying which roles may. */
  access: Capability;
  /** A JSON object body. Read routes take their query here, so it can be long and structured. */
  body?: z.ZodType<Body>;
  query?: z.ZodType<Query>;
  params?: z.ZodType<Params>;
  /** Said before a body's validation message: "invalid query" for read routes. */
  invalidBody?: string;
  /** The body's projectId defaults to the project of a member's token (read routes). */
  projectFromCaller?: boolean;
  /** Responses other than 200 and the errors every route may answer, for the document. */
  responses?: Record<number, string>;
  handle(input: RouteInput<Body, Query, Params>): Promise<RouteResult>;
}

/** A route, typed by its schemas (the list it goes into holds routes of every shape). */
export function defineRoute<Body = undefined, Query = undefined, Params = undefined>(
  route: ApiRoute<Body, Query, Params>,
): ApiRoute {
  return route as unknown as ApiRoute;
}
