import { createHash } from 'node:crypto';
import type { Db, Queryable } from '../db/db.js';
import type { AuditEntry } from './model.js';

/** Hash of the (virtual) row before the first one. */
export const GENESIS = '0'.repeat(64);
const LOCK = 7253020; // advisory lock serialising appends across nodes

export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditEvent {
  /** e.g. `auth.login`, `apikey.created`, `access.denied` */
  event: string;
  outcome: AuditOutcome;
  actor?: string | null;
  orgId?: string | null;
  ip?: string | null;
  /** Never a secret: ids, names, reasons. */
  detail?: Record<string, unknown>;
}

/** JSON with object keys sorted at every level: the same content always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

interface Content {
  seq: number;
  at: string;
  event: string;
  outcome: string;
  actor: string | null;
  orgId: string | null;
  ip: string | null;
  detail: Record<string, unknown>;
}

export function entryHash(prevHash: string, c: Content): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(c)).digest('hex');
}

interface Row {
  seq: number;
  at: Date | string;
  event: string;
  outcome: AuditOutcome;
  actor: string | null;
  org_id: string | null;
  ip: string | null;
  detail: Record<string, unknown> | string;
  prev_hash: string;
  hash: string;
}

const iso = (v: Date | string) => (v instanceof Date ? v : new Date(v)).toISOString();

function toEntry(r: Row): AuditEntry {
  return {
    seq: Number(r.seq),
    at: iso(r.at),
    event: r.event,
    outcome: r.outcome,
    actor: r.actor,
    orgId: r.org_id,
    ip: r.ip,
    detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** Appends one event to the chain, in its own transaction (or the caller's). */
export async function appendAudit(db: Db, e: AuditEvent): Promise<AuditEntry> {
  return db.transaction((tx) => appendAuditIn(tx, e));
}

export async function appendAuditIn(tx: Queryable, e: AuditEvent): Promise<AuditEntry> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK]);
  const last = await tx.query<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM gov_audit_log ORDER BY seq DESC LIMIT 1',
  );
  const prevHash = last.rows[0]?.hash ?? GENESIS;
  const content: Content = {
    seq: last.rows[0] ? Number(last.rows[0].seq) + 1 : 1,
    at: new Date().toISOString(), // millisecond precision: survives the timestamptz round trip exactly
    event: e.event,
    outcome: e.outcome,
    actor: e.actor ?? null,
    orgId: e.orgId ?? null,
    ip: e.ip ?? null,
    // Normalised through JSON so what is hashed is what jsonb gives back.
    detail: JSON.parse(JSON.stringify(e.detail ?? {})),
  };
  const hash = entryHash(prevHash, content);
  await tx.query(
    `INSERT INTO gov_audit_log (seq, at, event, outcome, actor, org_id, ip, detail, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      content.seq,
      content.at,
      content.event,
      content.outcome,
      content.actor,
      content.orgId,
      content.ip,
      JSON.stringify(content.detail),
      prevHash,
      hash,
    ],
  );
  return { ...content, prevHash, hash } as AuditEntry;
}

export interface AuditPageQuery {
  limit: number;
  offset: number;
  event?: string;
  orgId?: string;
}

/** Newest first. */
export async function listAudit(
  db: Queryable,
  q: AuditPageQuery,
): Promise<{ items: AuditEntry[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.event) {
    params.push(q.event);
    where.push(`event = $${params.length}`);
  }
  if (q.orgId) {
    params.push(q.orgId);
    where.push(`org_id = $${params.length}`);
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM gov_audit_log ${w}`, params);
  const rows = await db.query<Row>(
    `SELECT * FROM gov_audit_log ${w} ORDER BY seq DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, q.limit, q.offset],
  );
  return { items: rows.rows.map(toEntry), total: total.rows[0].n };
}

export interface VerifyResult {
  ok: boolean;
  /** Entries checked (up to and including the first broken one). */
  checked: number;
  lastSeq: number | null;
  broken?: { seq: number; reason: string };
}

/**
 * Walks the chain from the first entry: each entry must link to the previous entry's hash, carry the
 * next sequence number, and hash to its stored hash. Names the first entry that does not.
 */
export async function verifyAudit(db: Queryable, batch = 1000): Promise<VerifyResult> {
  let prevHash = GENESIS;
  let prevSeq = 0;
  let checked = 0;
  for (;;) {
    const rows = await db.query<Row>('SELECT * FROM gov_audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [
      prevSeq,
      batch,
    ]);
    if (rows.rows.length === 0) break;
    for (const r of rows.rows) {
      const e = toEntry(r);
      checked++;
      let reason: string | undefined;
      if (e.seq !== prevSeq + 1) reason = `sequence gap: expected ${prevSeq + 1}, found ${e.seq}`;
      else if (e.prevHash !== prevHash) reason = 'does not link to the previous entry';
      else {
        const { prevHash: _p, hash: _h, ...content } = e;
        if (entryHash(prevHash, content) !== e.hash) reason = 'content does not match its hash';
      }
      if (reason) return { ok: false, checked, lastSeq: prevSeq || null, broken: { seq: e.seq, reason } };
      prevHash = e.hash;
      prevSeq = e.seq;
    }
  }
  return { ok: true, checked, lastSeq: prevSeq || null };
}
