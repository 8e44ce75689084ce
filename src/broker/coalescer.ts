/**
 * Concurrent requests share round trips. A write transaction costs round trips (lock, save, commit) and a WAL
 * flush whatever the number of entities in it, so when writes arrive faster than they commit, those that wait
 * are committed together: at most `maxRunning` transactions run at once, and the writes that arrive meanwhile
 * join the next one. A lone write starts at once and waits for nobody. Reads of one entity by id do the same:
 * those that wait while others run are answered by one statement.
 *
 * With `onePerId`, two requests about the same entity never share a run: each write stays a change of its own
 * (its history instance, its notification). Reads need no such rule. When a shared run fails, each request in it runs again alone, so an error
 * stays with the request that caused it. Large requests (batch operations) gain nothing from company: they
 * run at once, outside the count, so that they never hold up the small ones.
 */
export interface Coalescer<Req, Res> {
  /** Runs `req`, which touches the entities `ids` of `key` (a tenant), together with others when it waits. */
  submit(key: string, ids: readonly string[], req: Req): Promise<Res>;
}

export interface CoalescerOptions<Req, Res> {
  /** Transactions running at once. */
  maxRunning: number;
  /** Entities per shared transaction; a larger write runs at once, alone, and is not counted as running. */
  maxIds: number;
  /** Requests about the same entity never share a run (writes: each stays a change of its own). */
  onePerId: boolean;
  /** Runs writes of one key in one transaction; their results in order. Throws to fail them all. */
  run(key: string, reqs: Req[]): Promise<Res[]>;
}

interface Entry<Req, Res> {
  req: Req;
  resolve(r: Res): void;
  reject(err: unknown): void;
}

interface Batch<Req, Res> {
  key: string;
  ids: Set<string>;
  entries: Entry<Req, Res>[];
}

export function createCoalescer<Req, Res>(opts: CoalescerOptions<Req, Res>): Coalescer<Req, Res> {
  const waiting: Batch<Req, Res>[] = [];
  let running = 0;

  const settle = async (b: Batch<Req, Res>) => {
    try {
      const results = await opts.run(
        b.key,
        b.entries.map((e) => e.req),
      );
      for (const [i, e] of b.entries.entries()) e.resolve(results[i]);
    } catch (err) {
      if (b.entries.length === 1) {
        b.entries[0].reject(err);
        return;
      }
      // One of them failed the transaction: find which by running each alone.
      for (const e of b.entries) {
        try {
          e.resolve((await opts.run(b.key, [e.req]))[0]);
        } catch (own) {
          e.reject(own);
        }
      }
    }
  };

  const start = (b: Batch<Req, Res>) => {
    running++;
    void settle(b).finally(() => {
      running--;
      pump();
    });
  };

  const pump = () => {
    while (running < opts.maxRunning && waiting.length > 0) start(waiting.shift()!);
  };

  /** The waiting batch of this key that can take these ids, if any. */
  const joinable = (key: string, ids: readonly string[]) => {
    for (let i = waiting.length - 1; i >= 0; i--) {
      const b = waiting[i];
      if (b.key !== key) continue;
      if (b.ids.size + ids.length > opts.maxIds) return undefined;
      if (opts.onePerId && ids.some((id) => b.ids.has(id))) return undefined;
      return b;
    }
    return undefined;
  };

  return {
    submit(key, ids, req) {
      return new Promise<Res>((resolve, reject) => {
        const entry = { req, resolve, reject };
        if (ids.length > opts.maxIds) {
          void settle({ key, ids: new Set(ids), entries: [entry] });
          return;
        }
        if (running < opts.maxRunning && waiting.length === 0) {
          start({ key, ids: new Set(ids), entries: [entry] });
          return;
        }
        const b = joinable(key, ids);
        if (b) {
          for (const id of ids) b.ids.add(id);
          b.entries.push(entry);
        } else waiting.push({ key, ids: new Set(ids), entries: [entry] });
      });
    },
  };
}
