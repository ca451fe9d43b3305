// A real collector on a throw-away database, with two projects and a key each.

import { createIngestKey, createProject } from '@vigil/core';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { startCollector, type CollectorSettings, type RunningCollector } from '../src/collector.ts';

export const DEFAULT_TEST_SETTINGS: CollectorSettings = {
  VIGIL_COLLECTOR_HOST: '127.0.0.1',
  VIGIL_COLLECTOR_PORT: 0,
  VIGIL_MAX_BODY_BYTES: 16 * 1024 * 1024,
  VIGIL_MAX_DECOMPRESSED_BYTES: 64 * 1024 * 1024,
  VIGIL_MAX_ATTRIBUTES: 128,
  VIGIL_MAX_ATTRIBUTE_LENGTH: 16 * 1024,
  VIGIL_QUEUE_MAX_SPANS: 200_000,
  VIGIL_BATCH_MAX_SPANS: 10_000,
  VIGIL_WRITER_LANES: 2,
};

export interface TestCollector {
  db: TestDatabase;
  collector: RunningCollector;
  url: string;
  keyA: string;
  keyB: string;
  projectA: string;
  projectB: string;
  close(): Promise<void>;
}

export async function startTestCollector(settings: Partial<CollectorSettings> = {}): Promise<TestCollector> {
  const db = await createTestDatabase();
  const projectA = (await createProject(db.pool, 'app-a')).id;
  const projectB = (await createProject(db.pool, 'app-b')).id;
  const keyA = (await createIngestKey(db.pool, 'app-a')).key;
  const keyB = (await createIngestKey(db.pool, 'app-b')).key;
  const collector = await startCollector({ ...DEFAULT_TEST_SETTINGS, ...settings }, db.pool);
  return {
    db,
    collector,
    url: collector.url,
    keyA,
    keyB,
    projectA,
    projectB,
    close: async () => {
      await collector.close();
      await db.drop();
    },
  };
}

export function randomHex(bytes: number): string {
  let out = '';
  for (let i = 0; i < bytes; i++)
    out += Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, '0');
  return out;
}
