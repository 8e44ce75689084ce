import autocannon from 'autocannon';
import type { CpuShare } from './cpu.js';
import { percentiles } from './stats.js';

/** What one measured step did: how many operations, how fast, how many failed. */
export interface StepResult {
  /** Successful operations (2xx for HTTP, no exception for SQL). */
  ok: number;
  /** Failed operations: non-2xx responses, or SQL errors. */
  failed: number;
  /** Transport errors and timeouts (HTTP only). */
  errors: number;
  seconds: number;
  /** Successful operations per second. */
  perSec: number;
  /** Latencies of the successful operations, ms (own timings, not autocannon's histogram). */
  p50: number;
  p95: number;
  /** Response count per HTTP status. */
  statuses: Record<string, number>;
  /** A few failure messages, for the report. */
  samples: string[];
  /** CPU used by other processes on the machine during the step, when measured. */
  cpu?: CpuShare;
}

export interface HttpRequestSpec {
  method: 'GET' | 'PATCH' | 'POST';
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

/**
 * Drives the server with autocannon for a fixed duration; `next` is called for every request (random ids,
 * varied query points). Latency percentiles are computed from every response time autocannon reports
 * (its own summary has p50, p90, p97.5 and p99 but no p95).
 */
export function cannon(opts: {
  baseUrl: string;
  connections: number;
  durationS: number;
  next: () => HttpRequestSpec;
}): Promise<StepResult> {
  const latencies: number[] = [];
  const samples: string[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.baseUrl,
        connections: opts.connections,
        duration: opts.durationS,
        timeout: 30,
        requests: [
          {
            setupRequest: (req) => {
              const r = opts.next();
              return {
                ...req,
                method: r.method,
                path: r.path,
                body: r.body ?? '',
                headers: { ...req.headers, ...r.headers },
              };
            },
            onResponse: (status, body) => {
              if ((status < 200 || status > 299) && samples.length < 3)
                samples.push(`${status} ${body.slice(0, 300)}`);
            },
          },
        ],
      },
      (err: Error | null, result: autocannon.Result) => {
        if (err) {
          reject(err);
          return;
        }
        const [p50, p95] = percentiles(latencies, [50, 95]);
        const statuses: Record<string, number> = {};
        for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = v.count ?? 0;
        resolve({
          ok: result['2xx'],
          failed: result.non2xx,
          errors: result.errors,
          seconds: result.duration,
          perSec: result['2xx'] / result.duration,
          p50,
          p95,
          statuses,
          samples,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode <= 299) latencies.push(responseTime);
    });
    instance.on('reqError', (e: unknown) => {
      if (samples.length < 3) samples.push(`request error: ${e instanceof Error ? e.message : String(e)}`);
    });
  });
}

/**
 * Runs `op` from `concurrency` workers, each looping until `durationS` elapsed (or until `total` operations
 * were started, when given). Exceptions count as failures.
 */
export async function runWorkers(opts: {
  concurrency: number;
  durationS?: number;
  total?: number;
  op: (n: number) => Promise<void>;
}): Promise<StepResult> {
  const latencies: number[] = [];
  const samples: string[] = [];
  let started = 0;
  let failed = 0;
  const t0 = performance.now();
  const deadline = opts.durationS === undefined ? Number.POSITIVE_INFINITY : t0 + opts.durationS * 1000;
  const limit = opts.total ?? Number.POSITIVE_INFINITY;
  const worker = async () => {
    while (started < limit && performance.now() < deadline) {
      const n = started++;
      const s = performance.now();
      try {
        await opts.op(n);
        latencies.push(performance.now() - s);
      } catch (err) {
        failed++;
        if (samples.length < 3) samples.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const [p50, p95] = percentiles(latencies, [50, 95]);
  return {
    ok: latencies.length,
    failed,
    errors: 0,
    seconds,
    perSec: latencies.length / seconds,
    p50,
    p95,
    statuses: {},
    samples,
  };
}
