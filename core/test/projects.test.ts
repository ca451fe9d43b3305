import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIngestKey,
  createProject,
  hashIngestKey,
  listIngestKeys,
  keyState,
  resolveIngestKey,
  resolveIngestKeyUntil,
  revokeIngestKey,
  rotateIngestKey,
} from '../src/projects.ts';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

describe('ingest keys', () => {
  it('stores only a hash and a short prefix, never the key', async () => {
    await createProject(db.pool, 'shop');
    const { key, info } = await createIngestKey(db.pool, 'shop', 'ci');
    expect(key).toMatch(/^vgl_[A-Za-z0-9_-]{43}$/);
    const { rows } = await db.pool.query('select * from ingest_keys where id = $1', [info.id]);
    const stored = JSON.stringify(rows[0]);
    expect(stored).not.toContain(key);
    expect(rows[0].key_hash).toBe(hashIngestKey(key));
    expect(key.startsWith(rows[0].prefix)).toBe(true);
    expect(rows[0].prefix.length).toBeLessThan(16);
  });

  it('resolves a key to its project until it is revoked', async () => {
    await createProject(db.pool, 'billing');
    const { key, info } = await createIngestKey(db.pool, 'billing');
    expect((await resolveIngestKey(db.pool, key))?.name).toBe('billing');
    await revokeIngestKey(db.pool, info.id);
    expect(await resolveIngestKey(db.pool, key)).toBeNull();
    const listed = await listIngestKeys(db.pool, 'billing');
    expect(listed[0]?.revokedAt).toBeInstanceOf(Date);
  });

  it('rejects forged keys: wrong shape, right shape but unknown, and a key with one character changed', async () => {
    await createProject(db.pool, 'forge');
    const { key } = await createIngestKey(db.pool, 'forge');
    const flipped = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    for (const forged of ['', 'Bearer x', 'vgl_short', `vgl_${'a'.repeat(43)}`, flipped]) {
      expect(await resolveIngestKey(db.pool, forged)).toBeNull();
    }
  });

  it('explains bad input in one line', async () => {
    await expect(createProject(db.pool, 'Bad Name')).rejects.toThrow(/lowercase letters/);
    await expect(createProject(db.pool, 'shop')).rejects.toThrow('project "shop" already exists');
    await expect(createIngestKey(db.pool, 'nope')).rejects.toThrow('no project named "nope"');
    await expect(revokeIngestKey(db.pool, 'not-a-uuid')).rejects.toThrow(/no ingest key/);
  });

  it('rotates a key: the new one works at once, the old one through the grace and not after', async () => {
    await createProject(db.pool, 'rotating');
    const old = await createIngestKey(db.pool, 'rotating', 'deploy-bot');
    const rotated = await rotateIngestKey(db.pool, old.info.id, 60_000);
    expect(rotated.info.label).toBe('deploy-bot');
    expect(rotated.previous.replacedBy).toBe(rotated.info.id);
    expect(keyState(rotated.previous, Date.now())).toBe('rotated');
    expect((await resolveIngestKey(db.pool, rotated.key))?.name).toBe('rotating');
    const during = await resolveIngestKeyUntil(db.pool, old.key);
    expect(during?.project.name).toBe('rotating');
    expect(during!.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    // Rotating it again, or rotating a revoked key, is refused with the reason.
    await expect(rotateIngestKey(db.pool, old.info.id, 60_000)).rejects.toThrow(/is rotated: only a working key/);
    // The grace ends: the old key is refused by itself, and listed as expired.
    await db.pool.query(`update ingest_keys set expires_at = now() - interval '1 second' where id = $1`, [old.info.id]);
    expect(await resolveIngestKey(db.pool, old.key)).toBeNull();
    const listed = (await listIngestKeys(db.pool, 'rotating')).find((k) => k.id === old.info.id)!;
    expect(keyState(listed, Date.now())).toBe('expired');
    expect((await resolveIngestKey(db.pool, rotated.key))?.name).toBe('rotating');
  });

  it('creates keys that expire by themselves, and a rotation never extends an expiry', async () => {
    await createProject(db.pool, 'expiring');
    const key = await createIngestKey(db.pool, 'expiring', null, { expiresInMs: 90 * 86_400_000 });
    const days = (key.info.expiresAt!.getTime() - key.info.createdAt.getTime()) / 86_400_000;
    expect(days).toBeCloseTo(90, 3);
    expect(keyState(key.info, Date.now())).toBe('expiring');
    const soon = await createIngestKey(db.pool, 'expiring', null, { expiresInMs: 60_000 });
    const rotated = await rotateIngestKey(db.pool, soon.info.id, 86_400_000);
    expect(rotated.previous.expiresAt!.getTime()).toBe(soon.info.expiresAt!.getTime());
    const revoked = await revokeIngestKey(db.pool, key.info.id);
    expect(keyState(revoked, Date.now())).toBe('revoked');
    await expect(rotateIngestKey(db.pool, key.info.id, 1000)).rejects.toThrow(/is revoked/);
  });
});
