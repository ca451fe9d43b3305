// Projects and their ingest keys. Keys are shown once, at creation, and stored as SHA-256 hashes.

import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';

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
}

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

export async function createIngestKey(
  db: Queryable,
  projectName: string,
  label: string | null = null,
): Promise<CreatedIngestKey> {
  const project = await getProject(db, projectName);
  const key = KEY_PREFIX + randomBytes(KEY_BYTES).toString('base64url');
  const { rows } = await db.query(
    `insert into ingest_keys (project_id, prefix, key_hash, label) values ($1, $2, $3, $4)
     returning id, project_id, prefix, label, created_at, last_used_at, revoked_at`,
    [project.id, key.slice(0, SHOWN_PREFIX_LENGTH), hashIngestKey(key), label],
  );
  return { key, info: toKeyInfo({ ...rows[0], project_name: project.name }) };
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
  };
}

export async function listIngestKeys(db: Queryable, projectName?: string): Promise<IngestKeyInfo[]> {
  const { rows } = await db.query(
    `select k.id, k.project_id, p.name as project_name, k.prefix, k.label, k.created_at, k.last_used_at, k.revoked_at
       from ingest_keys k join projects p on p.id = k.project_id
      where $1::text is null or p.name = $1
      order by p.name, k.created_at`,
    [projectName ?? null],
  );
  return rows.map(toKeyInfo);
}

export async function revokeIngestKey(db: Queryable, id: string): Promise<IngestKeyInfo> {
  if (!z.uuid().safeParse(id).success)
    throw new NotFoundError(`no ingest key with id "${id}" (ids are UUIDs; see "vigil keys list")`);
  const { rows } = await db.query(
    `update ingest_keys k set revoked_at = coalesce(k.revoked_at, now()) from projects p
      where k.id = $1 and p.id = k.project_id
      returning k.id, k.project_id, p.name as project_name, k.prefix, k.label, k.created_at, k.last_used_at, k.revoked_at`,
    [id],
  );
  if (!rows[0]) throw new NotFoundError(`no ingest key with id "${id}"`);
  return toKeyInfo(rows[0]);
}

/** The project a key belongs to, or null for an unknown or revoked key. */
export async function resolveIngestKey(db: Queryable, key: string): Promise<Project | null> {
  if (!looksLikeIngestKey(key)) return null;
  const { rows } = await db.query<ProjectRow>(
    `select p.* from ingest_keys k join projects p on p.id = k.project_id
      where k.key_hash = $1 and k.revoked_at is null`,
    [hashIngestKey(key)],
  );
  return rows[0] ? toProject(rows[0]) : null;
}
