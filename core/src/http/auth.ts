// API tokens: JWTs signed with the project's JWT secret (HS256), as Supabase issues them. The
// claims decide the caller: role, project_id and, for a tenant-scoped token, tenant_id.

import { SignJWT, createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { MEMBER_ROLES, type MemberRole, ROLE_CLAIM } from '../access/roles.ts';
import type pg from 'pg';
import { memberCaller } from '../access/members.ts';
import type { Caller } from '../query/caller.ts';
import { AuthError } from './auth-error.ts';

const claimsSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('service_role') }),
  z.object({
    role: z.literal('authenticated'),
    project_id: z.string().uuid(),
    tenant_id: z.string().min(1).optional(),
    [ROLE_CLAIM]: z.enum(MEMBER_ROLES).optional(),
  }),
]);

/** A Supabase Auth session: `authenticated` with the user's id, and no Vigil project claim. */
const supabaseUserSchema = z.object({ role: z.literal('authenticated'), sub: z.string().uuid() });

/** Who a verified token stands for: a caller, or a Supabase Auth user whose membership decides. */
export type TokenSubject = { caller: Caller } | { supabaseUserId: string };

export { AuthError };

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export interface VerifyOptions {
  /** A JWKS URL (Supabase's asymmetric signing keys: <project>/auth/v1/.well-known/jwks.json). */
  jwksUrl?: string;
}

export interface CallerOptions extends VerifyOptions {
  /** Where a Supabase Auth user's membership is looked up; without it, such tokens are refused. */
  pool?: pg.Pool;
  /** A member of several projects names one, by id or name (the API's X-Vigil-Project header). */
  project?: string;
}

/**
 * The caller a bearer token stands for: a Vigil token's claims, or a Supabase Auth user's
 * membership (members table).
 */
export async function callerFromToken(token: string, secret: string, options: CallerOptions = {}): Promise<Caller> {
  const subject = await subjectFromToken(token, secret, options);
  if ('caller' in subject) return subject.caller;
  if (!options.pool) throw new AuthError('a Supabase user token is accepted by the API and the dashboard only');
  return memberCaller(options.pool, subject.supabaseUserId, options.project);
}

// One key set per URL: jose caches the keys and refetches them when a new kid appears.
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySet(url: string): ReturnType<typeof createRemoteJWKSet> {
  let set = keySets.get(url);
  if (!set)
    keySets.set(url, (set = createRemoteJWKSet(new URL(url), { timeoutDuration: 5000, cooldownDuration: 30_000 })));
  return set;
}

/**
 * Who a bearer token stands for: HS256 tokens are checked against the JWT secret, RS256 and
 * ES256 ones against the JWKS when one is configured. Throws AuthError saying what is wrong, never
 * why in detail that would help forging.
 */
export async function subjectFromToken(
  token: string,
  secret: string,
  options: VerifyOptions = {},
): Promise<TokenSubject> {
  let payload: unknown;
  try {
    const { alg } = decodeProtectedHeader(token);
    if (alg === 'HS256') {
      ({ payload } = await jwtVerify(token, key(secret), { algorithms: ['HS256'], requiredClaims: ['exp'] }));
    } else if (options.jwksUrl && (alg === 'RS256' || alg === 'ES256')) {
      ({ payload } = await jwtVerify(token, keySet(options.jwksUrl), {
        algorithms: ['RS256', 'ES256'],
        requiredClaims: ['exp'],
      }));
    } else {
      throw new AuthError('invalid token');
    }
  } catch (error) {
    if (error instanceof AuthError) throw error;
    if (error instanceof errors.JWTExpired) throw new AuthError('token expired');
    if (error instanceof errors.JWTClaimValidationFailed) throw new AuthError(`token rejected: ${error.message}`);
    throw new AuthError('invalid token');
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) {
    const user = supabaseUserSchema.safeParse(payload);
    if (user.success) return { supabaseUserId: user.data.sub };
    throw new AuthError('token has no usable role and project_id claims');
  }
  const c = claims.data;
  if (c.role === 'service_role') return { caller: { role: 'service_role' } };
  const memberRole = c[ROLE_CLAIM];
  return {
    caller: {
      role: 'authenticated',
      projectId: c.project_id,
      ...(c.tenant_id ? { tenantId: c.tenant_id } : {}),
      ...(memberRole ? { memberRole } : {}),
    },
  };
}

export interface TokenRequest {
  role: 'authenticated' | 'service_role';
  projectId?: string;
  tenantId?: string;
  /** A member token's role (`authenticated` tokens only). */
  memberRole?: MemberRole;
  ttlSeconds: number;
}

export async function signToken(request: TokenRequest, secret: string): Promise<string> {
  const claims: Record<string, string> = { role: request.role };
  if (request.projectId) claims.project_id = request.projectId;
  if (request.tenantId) claims.tenant_id = request.tenantId;
  if (request.memberRole && request.role === 'authenticated') claims[ROLE_CLAIM] = request.memberRole;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + request.ttlSeconds)
    .sign(key(secret));
}
