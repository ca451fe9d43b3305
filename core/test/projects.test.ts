import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIngestKey,
  createProject,
  hashIngestKey,
  listIngestKeys,
  resolveIngestKey,
  revokeIngestKey,
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
});
