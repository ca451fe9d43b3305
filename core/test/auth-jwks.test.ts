// Tokens signed with asymmetric keys (Supabase's JWT signing keys) are accepted when their key is
// in the configured JWKS, and refused otherwise; HS256 tokens still use the JWT secret.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFromToken, signToken } from '../src/http/auth.ts';

const SECRET = 'a-shared-jwt-secret-of-32-characters!';
const PROJECT = '0b3c5e5e-4f4a-4c1e-9a57-3f1f0f0c9a11';
let jwksUrl: string;
let close: () => Promise<void>;
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let signing: PrivateKey;
let stranger: PrivateKey;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  signing = pair.privateKey;
  stranger = (await generateKeyPair('ES256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth/v1/.well-known/jwks.json`;
  close = () => new Promise((resolve) => server.close(() => resolve()));
});

afterAll(() => close());

const es256 = (key: PrivateKey, claims: Record<string, string>, exp = '10m') =>
  new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'key-1' }).setIssuedAt().setExpirationTime(exp).sign(key);

describe('tokens verified against a JWKS', () => {
  it('accepts an ES256 token signed by a key in the JWKS', async () => {
    const token = await es256(signing, { role: 'authenticated', project_id: PROJECT, tenant_id: 'acme' });
    expect(await callerFromToken(token, SECRET, { jwksUrl })).toEqual({
      role: 'authenticated',
      projectId: PROJECT,
      tenantId: 'acme',
    });
  });

  it('refuses a token signed by another key, an expired one, and asymmetric tokens when no JWKS is set', async () => {
    await expect(
      callerFromToken(await es256(stranger, { role: 'authenticated', project_id: PROJECT }), SECRET, { jwksUrl }),
    ).rejects.toThrow('invalid token');
    await expect(
      callerFromToken(await es256(signing, { role: 'authenticated', project_id: PROJECT }, '-1m'), SECRET, { jwksUrl }),
    ).rejects.toThrow('token expired');
    await expect(
      callerFromToken(await es256(signing, { role: 'authenticated', project_id: PROJECT }), SECRET),
    ).rejects.toThrow('invalid token');
  });

  it('still checks HS256 tokens against the JWT secret', async () => {
    const token = await signToken({ role: 'authenticated', projectId: PROJECT, ttlSeconds: 60 }, SECRET);
    expect(await callerFromToken(token, SECRET, { jwksUrl })).toEqual({ role: 'authenticated', projectId: PROJECT });
    await expect(callerFromToken(token, 'another-secret-another-secret-123456', { jwksUrl })).rejects.toThrow(
      'invalid token',
    );
  });
});
