// API tokens: JWTs signed with the project's JWT secret (HS256), as Supabase issues them. The
// claims decide the caller: role, project_id and, for a tenant-scoped token, tenant_id.

import { SignJWT, createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { Caller } from '../query/caller.ts';

const claimsSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('service_role') }),
  z.object({
    role: z.literal('authenticated'),
    project_id: z.string().uuid(),
    tenant_id: z.string().min(1).optional(),
  }),
]);

export class AuthError extends Error {
  override name = 'AuthError';
}

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export interface VerifyOptions {
  /** A JWKS URL (Supabase's asymmetric signing keys: <project>/auth/v1/.well-known/jwks.json). */
  jwksUrl?: string;
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
 * The caller a bearer token stands for: HS256 tokens are checked against the JWT secret, RS256 and
 * ES256 ones against the JWKS when one is configured. Throws AuthError saying what is wrong, never
 * why in detail that would help forging.
 */
export async function callerFromToken(token: string, secret: string, options: VerifyOptions = {}): Promise<Caller> {
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
  if (!claims.success) throw new AuthError('token has no usable role and project_id claims');
  const c = claims.data;
  if (c.role === 'service_role') return { role: 'service_role' };
  return { role: 'authenticated', projectId: c.project_id, ...(c.tenant_id ? { tenantId: c.tenant_id } : {}) };
}

export interface TokenRequest {
  role: 'authenticated' | 'service_role';
  projectId?: string;
  tenantId?: string;
  ttlSeconds: number;
}

export async function signToken(request: TokenRequest, secret: string): Promise<string> {
  const claims: Record<string, string> = { role: request.role };
  if (request.projectId) claims.project_id = request.projectId;
  if (request.tenantId) claims.tenant_id = request.tenantId;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + request.ttlSeconds)
    .sign(key(secret));
}
