import { randomUUID } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../db/db.js';
import { assertOrgRole } from '../governance/index.js';
import { badRequest } from '../http/problem.js';
import type { Plan } from './model.js';

/** A usage event in CloudEvents 1.0 structured form. */
export interface UsageEvent {
  specversion: '1.0';
  type: 'eu.escale.usage.v1';
  source: string;
  id: string;
  time: string;
  subject: string;
  datacontenttype: 'application/json';
  data: {
    agreement: string;
    consumer: string;
    provider: string;
    dataset: string;
    calls: number;
    bytes: number;
  };
}

/** Appends one usage event (durably: the request that used the data waits for it). */
export async function recordUsage(
  db: Queryable,
  u: {
    agreement: string;
    dataset: string;
    provider: string;
    consumer: string;
    calls: number;
    bytes: number;
    source: string;
  },
): Promise<UsageEvent> {
  const event: UsageEvent = {
    specversion: '1.0',
    type: 'eu.escale.usage.v1',
    source: u.source,
    id: randomUUID(),
    time: new Date().toISOString(),
    subject: `urn:uuid:${u.agreement}`,
    datacontenttype: 'application/json',
    data: {
      agreement: u.agreement,
      consumer: u.consumer,
      provider: u.provider,
      dataset: u.dataset,
      calls: u.calls,
      bytes: u.bytes,
    },
  };
  await db.query(
    `INSERT INTO cat_usage_events (id, at, agreement_id, dataset_id, provider_org_id, consumer_org_id, calls, bytes, event)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      event.id,
      event.time,
      u.agreement,
      u.dataset,
      u.provider,
      u.consumer,
      u.calls,
      u.bytes,
      JSON.stringify(event),
    ],
  );
  return event;
}

export interface StatementLine {
  agreement: string;
  dataset: string;
  datasetTitle: string;
  /** The other party: the provider on a consumer's lines, the consumer on an owner's. */
  counterparty: string;
  plan: Plan['kind'];
  calls: number;
  bytes: number;
  amount: number;
  currency: string;
}

export interface Statement {
  orgId: string;
  month: string;
  /** What the organisation used of others' data, and owes. */
  consumption: { lines: StatementLine[]; total: number };
  /** Who used the organisation's data, how much, and what it earns. */
  revenue: { lines: StatementLine[]; total: number };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The charge of one agreement for a month under its plan. */
export function charge(
  plan: Plan | undefined,
  calls: number,
  a: { finalizedAt?: Date; terminatedAt?: Date },
  monthStart: Date,
  monthEnd: Date,
): number {
  const price = plan?.price ?? 0;
  switch (plan?.kind ?? 'free') {
    case 'free':
      return 0;
    case 'perCall':
      return round2((calls * price) / 1000);
    case 'monthly': {
      const active =
        a.finalizedAt !== undefined &&
        a.finalizedAt < monthEnd &&
        (a.terminatedAt === undefined || a.terminatedAt >= monthStart);
      return active ? round2(price) : 0;
    }
    case 'oneOff':
      return a.finalizedAt && a.finalizedAt >= monthStart && a.finalizedAt < monthEnd ? round2(price) : 0;
  }
  return 0;
}

/** The monthly statement of an organisation: its consumption of others' data and its revenue as an owner. */
export async function statement(db: Queryable, orgId: string, month: string): Promise<Statement> {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw badRequest('month must be YYYY-MM');
  const start = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  const end = new Date(Date.UTC(Number(m[1]), Number(m[2]), 1));
  const r = await db.query<{
    id: string;
    dataset_id: string;
    provider_org_id: string;
    consumer_org_id: string;
    plan: Plan | null;
    finalized_at: Date | string | null;
    terminated_at: Date | string | null;
    title: { fr?: string; en?: string };
    calls: number;
    bytes: number;
  }>(
    `SELECT a.id, a.dataset_id, a.provider_org_id, a.consumer_org_id, a.plan, a.finalized_at, a.terminated_at,
            d.title, coalesce(u.calls, 0)::int AS calls, coalesce(u.bytes, 0)::float8 AS bytes
       FROM cat_agreements a
       JOIN cat_datasets d ON d.id = a.dataset_id
       LEFT JOIN (SELECT agreement_id, sum(calls) AS calls, sum(bytes) AS bytes FROM cat_usage_events
                   WHERE at >= $2 AND at < $3 AND (provider_org_id = $1 OR consumer_org_id = $1)
                   GROUP BY agreement_id) u ON u.agreement_id = a.id
      WHERE (a.provider_org_id = $1 OR a.consumer_org_id = $1) AND a.finalized_at IS NOT NULL
        AND a.finalized_at < $3 AND (a.terminated_at IS NULL OR a.terminated_at >= $2)
      ORDER BY a.finalized_at, a.id`,
    [orgId, start.toISOString(), end.toISOString()],
  );
  const consumption: StatementLine[] = [];
  const revenue: StatementLine[] = [];
  for (const row of r.rows) {
    const plan = row.plan ?? undefined;
    const amount = charge(
      plan,
      row.calls,
      {
        finalizedAt: row.finalized_at ? new Date(row.finalized_at) : undefined,
        terminatedAt: row.terminated_at ? new Date(row.terminated_at) : undefined,
      },
      start,
      end,
    );
    const line = (counterparty: string): StatementLine => ({
      agreement: row.id,
      dataset: row.dataset_id,
      datasetTitle: row.title.en ?? row.title.fr ?? '',
      counterparty,
      plan: plan?.kind ?? 'free',
      calls: row.calls,
      bytes: Number(row.bytes),
      amount,
      currency: plan?.currency ?? 'EUR',
    });
    if (row.consumer_org_id === orgId) consumption.push(line(row.provider_org_id));
    if (row.provider_org_id === orgId) revenue.push(line(row.consumer_org_id));
  }
  const total = (l: StatementLine[]) => round2(l.reduce((s, x) => s + x.amount, 0));
  return {
    orgId,
    month,
    consumption: { lines: consumption, total: total(consumption) },
    revenue: { lines: revenue, total: total(revenue) },
  };
}

const csvCell = (v: string | number) => {
  const s = String(v);
  // Quotes cells with separators, and neutralises spreadsheet formulas.
  const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function statementCsv(s: Statement): string {
  const head = [
    'role',
    'agreement',
    'dataset',
    'dataset_title',
    'counterparty',
    'plan',
    'calls',
    'bytes',
    'amount',
    'currency',
  ];
  const rows = [
    ...s.consumption.lines.map((l) => ['consumer', l] as const),
    ...s.revenue.lines.map((l) => ['owner', l] as const),
  ].map(([role, l]) =>
    [
      role,
      l.agreement,
      l.dataset,
      l.datasetTitle,
      l.counterparty,
      l.plan,
      l.calls,
      l.bytes,
      l.amount,
      l.currency,
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[head.join(','), ...rows].join('\r\n')}\r\n`;
}

const StatementQuery = Type.Object(
  {
    month: Type.String({ pattern: '^\\d{4}-\\d{2}$' }),
    orgId: Type.String({ format: 'uuid' }),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  },
  { additionalProperties: false },
);

/** `GET /api/catalog/statements?month=&orgId=`: for members of the organisation and platform administrators. */
export async function usageRoutes(app: FastifyInstance, opts: { db: Queryable }): Promise<void> {
  app.get<{ Querystring: Static<typeof StatementQuery> }>(
    '/api/catalog/statements',
    { schema: { tags: ['catalog'], querystring: StatementQuery } },
    async (req, reply) => {
      await assertOrgRole(req, req.query.orgId, 'member', { hide: true, what: 'statement' });
      const s = await statement(opts.db, req.query.orgId, req.query.month);
      const csv =
        req.query.format === 'csv' ||
        (req.query.format === undefined && /text\/csv/.test(req.headers.accept ?? ''));
      reply.header('vary', 'accept');
      if (csv) {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="statement-${req.query.month}.csv"`)
          .send(statementCsv(s));
      }
      return s;
    },
  );
}
