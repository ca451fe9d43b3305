// Where the engine and the gate endpoints get their config each time they need it: the file
// (re-read, so edits apply without a restart) plus the database overrides. A config that stops
// validating is reported once and the last good one stays in effect.

import path from 'node:path';
import type pg from 'pg';
import { fileConfig, withProjectOverrides } from './effective.ts';
import type { AlertsConfig } from './schema.ts';

export class ConfigSource {
  private lastGood: AlertsConfig | null = null;
  private lastError: string | null = null;
  private readonly pool: pg.Pool;
  private file: string | undefined;
  private readonly log: (message: string) => void;

  constructor(pool: pg.Pool, file: string | undefined, log: (message: string) => void = () => {}) {
    this.pool = pool;
    this.file = file;
    this.log = log;
  }

  /** The first load throws (a bad config should stop `vigil up` with its message). */
  async load(): Promise<{ config: AlertsConfig; source: string }> {
    const { config, source, file } = await fileConfig(this.file);
    // The file found now stays the file, whatever the working directory of later reads.
    this.file = file ? path.resolve(file) : undefined;
    this.lastGood = await withProjectOverrides(this.pool, config, this.log);
    return { config: this.lastGood, source };
  }

  /** The config file in effect (absolute), once loaded; undefined when there is none. */
  get configFile(): string | undefined {
    return this.file;
  }

  readonly current = async (): Promise<AlertsConfig> => {
    try {
      const { config } = await fileConfig(this.file);
      this.lastGood = await withProjectOverrides(this.pool, config, this.log);
      this.lastError = null;
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.lastError) this.log(`alerts config not applied, keeping the last good one:\n${message}`);
      this.lastError = message;
      if (!this.lastGood) throw error;
    }
    return this.lastGood!;
  };
}
