// Projects and their ingest keys. Keys are shown once, at creation, and stored as SHA-256 hashes.

import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { type Caller, withCaller } from './query/caller.ts';

export const projectNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    'use 1-63 lowercase letters, digits, "-" or "_", starting with a letter or digit',
  );

export interface Project {
  id: string;
  name: string;
  tenantAttributeKeys: string[];
  captureContent: boolean;
  createdAt: Date;
}

export interface IngestKeyInfo {
  id: string;
  projectId: string;
  projectName: string;
  prefix: string;
  label: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** When the key stops working by itself (created with an expiry, or rotated with a grace). */
  expiresAt: Date | null;
  /** The key that replaced this one in a rotation. */
  replacedBy: string | null;
}

export type IngestKeyState = 'active' | 'expiring' | 'rotated' | 'expired' | 'revoked';

/** What a key is at `nowMs`: refused once revoked or expired; rotated keys work until their grace ends. */
export function keyState(
  key: Pick<IngestKeyInfo, 'revokedAt' | 'expiresAt' | 'replacedBy'>,
  nowMs: number,
): IngestKeyState {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt.getTime() <= nowMs) return 'expired';
  if (key.replacedBy) return 'rotated';
  return key.expiresAt ? 'expiring' : 'active';
}

/** What the audit log keeps of a key: what `keys list` shows, never its hash. */
export function keyAuditRecord(key: IngestKeyInfo, nowMs = Date.now()): Record<string, unknown> {
  return {
    prefix: key.prefix,
    label: key.label,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    replacedBy: key.replacedBy,
    state: keyState(key, nowMs),
  };
}

/** The SQL of a key that still works (ingest_keys aliased k), one definition with keyState. */
export const SQL_KEY_IS_LIVE = 'k.revoked_at is null and (k.expires_at is null or k.expires_at > now())';

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

type Queryable = Pick<pg.Pool, 'query'>;

interface ProjectRow {
  id: string;
  name: string;
  tenant_attribute_keys: string[];
  capture_content: boolean;
  created_at: Date;
}

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    tenantAttributeKeys: row.tenant_attribute_keys,
    captureContent: row.capture_content,
    createdAt: row.created_at,
  };
}

export async function createProject(db: Queryable, name: string): Promise<Project> {
  const valid = projectNameSchema.parse(name);
  try {
    const { rows } = await db.query<ProjectRow>('insert into projects (name) values ($1) returning *', [valid]);
    return toProject(rows[0]!);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new Error(`project "${valid}" already exists`);
    throw error;
  }
}

export async function findProject(db: Queryable, name: string): Promise<Project | null> {
  const { rows } = await db.query<ProjectRow>('select * from projects where name = $1', [name]);
  return rows[0] ? toProject(rows[0]) : null;
}

export async function getProject(db: Queryable, name: string): Promise<Project> {
  const project = await findProject(db, name);
  if (!project) throw new NotFoundError(`no project named "${name}"`);
  return project;
}

export async function listProjects(db: Queryable): Promise<Project[]> {
  const { rows } = await db.query<ProjectRow>('select * from projects order by created_at, name');
  return rows.map(toProject);
}

const KEY_PREFIX = 'vgl_';
// 32 random bytes: guessing is hopeless, so a fast hash (SHA-256) is the right tool, not a KDF.
const KEY_BYTES = 32;
const SHOWN_PREFIX_LENGTH = KEY_PREFIX.length + 8;

export function hashIngestKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function looksLikeIngestKey(key: string): boolean {
  return /^vgl_[A-Za-z0-9_-]{43}$/.test(key);
}

export interface CreatedIngestKey {
  /** The key itself. It is not stored and cannot be shown again. */
  key: string;
  info: IngestKeyInfo;
}

const KEY_COLUMNS =
  'k.id, k.project_id, k.prefix, k.label, k.created_at, k.last_used_at, k.revoked_at, k.expires_at, k.replaced_by';

export async function createIngestKey(
  db: Queryable,
  projectName: string,
  label: string | null = null,
  options: { expiresInMs?: number } = {},
): Promise<CreatedIngestKey> {
  const project = await getProject(db, projectName);
  return insertKey(db, project, label, options.expiresInMs ?? null);
}

async function insertKey(
  db: Queryable,
  project: Pick<Project, 'id' | 'name'>,
  label: string | null,
  expiresInMs: number | null,
): Promise<CreatedIngestKey> {
  const key = KEY_PREFIX + randomBytes(KEY_BYTES).toString('base64url');
  const { rows } = await db.query(
    `insert into ingest_keys as k (project_id, prefix, key_hash, label, expires_at)
     values ($1, $2, $3, $4, now() + make_interval(secs => $5::float8 / 1000))
     returning ${KEY_COLUMNS}`,
    [project.id, key.slice(0, SHOWN_PREFIX_LENGTH), hashIngestKey(key), label, expiresInMs],
  );
  return { key, info: toKeyInfo({ ...rows[0], project_name: project.name }) };
}

export interface RotatedIngestKey extends CreatedIngestKey {
  /** The old key, now ending at the end of the grace. */
  previous: IngestKeyInfo;
}

/**
 * Replaces a working key: a new key for the same project and label (shown once), and the old one
 * keeps working for `graceMs`, then is refused by itself (its expiry, kept if already sooner).
 */
export async function rotateIngestKey(
  pool: pg.Pool,
  id: string,
  graceMs: number,
  options: { expiresInMs?: number } = {},
): Promise<RotatedIngestKey> {
  if (!z.uuid().safeParse(id).success)
    throw new NotFoundError(`no ingest key with id "${id}" (ids are UUIDs; see "vigil keys list")`);
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query(
      `select ${KEY_COLUMNS}, p.name as project_name, (${SQL_KEY_IS_LIVE}) as live
         from ingest_keys k join projects p on p.id = k.project_id where k.id = $1 for update of k`,
      [id],
    );
    const old = rows[0];
    if (!old) throw new NotFoundError(`no ingest key with id "${id}"`);
    if (!old.live || old.replaced_by)
      throw new NotFoundError(
        `ingest key ${id} is ${keyState(toKeyInfo(old), Date.now())}: only a working key that was not rotated yet can be rotated`,
      );
    const created = await insertKey(
      client,
      { id: old.project_id, name: old.project_name },
      old.label,
      options.expiresInMs ?? null,
    );
    const { rows: updated } = await client.query(
      `update ingest_keys k set replaced_by = $2,
              expires_at = least(coalesce(k.expires_at, 'infinity'), now() + make_interval(secs => $3::float8 / 1000))
         from projects p where k.id = $1 and p.id = k.project_id
       returning ${KEY_COLUMNS}, p.name as project_name`,
      [id, created.info.id, graceMs],
    );
    await client.query('commit');
    return { ...created, previous: toKeyInfo(updated[0]!) };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

function toKeyInfo(row: Record<string, unknown>): IngestKeyInfo {
  return {
    id: row.id as string,
    projectId: row.project_id as string,
    projectName: row.project_name as string,
    prefix: row.prefix as string,
    label: (row.label as string | null) ?? null,
    createdAt: row.created_at as Date,
    lastUsedAt: (row.last_used_at as Date | null) ?? null,
    revokedAt: (row.revoked_at as Date | null) ?? null,
    expiresAt: (row.expires_at as Date | null) ?? null,
    replacedBy: (row.replaced_by as string | null) ?? null,
  };
}

export async function listIngestKeys(db: Queryable, projectName?: string): Promise<IngestKeyInfo[]> {
  const { rows } = await db.query(
    `select ${KEY_COLUMNS}, p.name as project_name
       from ingest_keys k join projects p on p.id = k.project_id
      where $1::text is null or p.name = $1
      order by p.name, k.created_at`,
    [projectName ?? null],
  );
  return rows.map(toKeyInfo);
}

/** A project's keys as the caller may see them (row-level security; never the hashes). */
export async function readIngestKeys(pool: pg.Pool, caller: Caller, projectId: string): Promise<IngestKeyInfo[]> {
  return withCaller(pool, caller, async (client) => {
    const { rows } = await client.query(
      `select ${KEY_COLUMNS}, p.name as project_name from ingest_keys k join projects p on p.id = k.project_id
        where k.project_id = $1 order by k.created_at desc`,
      [projectId],
    );
    return rows.map(toKeyInfo);
  });
}

export async function revokeIngestKey(db: Queryable, id: string): Promise<IngestKeyInfo> {
  if (!z.uuid().safeParse(id).success)
    throw new NotFoundError(`no ingest key with id "${id}" (ids are UUIDs; see "vigil keys list")`);
  const { rows } = await db.query(
    `update ingest_keys k set revoked_at = coalesce(k.revoked_at, now()) from projects p
      where k.id = $1 and p.id = k.project_id
      returning ${KEY_COLUMNS}, p.name as project_name`,
    [id],
  );
  if (!rows[0]) throw new NotFoundError(`no ingest key with id "${id}"`);
  return toKeyInfo(rows[0]);
}

/** The project a key belongs to, or null for an unknown, revoked or expired key. */
export async function resolveIngestKey(db: Queryable, key: string): Promise<Project | null> {
  return (await resolveIngestKeyUntil(db, key))?.project ?? null;
}

/** The project of a working key and when the key ends (null: it does not), or null. */
export async function resolveIngestKeyUntil(
  db: Queryable,
  key: string,
): Promise<{ project: Project; expiresAt: Date | null } | null> {
  if (!looksLikeIngestKey(key)) return null;
  const { rows } = await db.query<ProjectRow & { key_expires_at: Date | null }>(
    `select p.*, k.expires_at as key_expires_at from ingest_keys k join projects p on p.id = k.project_id
      where k.key_hash = $1 and ${SQL_KEY_IS_LIVE}`,
    [hashIngestKey(key)],
  );
  return rows[0] ? { project: toProject(rows[0]), expiresAt: rows[0].key_expires_at } : null;
}
