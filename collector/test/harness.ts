// A real collector on a throw-away database, with two projects and a key each.

import { createIngestKey, createProject } from '@vigil/core';
import { COLLECTOR_TEST_SETTINGS, createTestDatabase, type TestDatabase } from '@vigil/testing';
import { startCollector, type CollectorSettings, type RunningCollector } from '../src/collector.ts';

export const DEFAULT_TEST_SETTINGS: CollectorSettings = COLLECTOR_TEST_SETTINGS;

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
