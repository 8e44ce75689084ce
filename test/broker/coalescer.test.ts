import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCoalescer } from '../../src/broker/coalescer.js';

/** A run that records what it was given and waits until released. */
function recorder(fail: (req: string) => boolean = () => false, onePerId = true) {
  const runs: { key: string; reqs: string[]; release: () => void }[] = [];
  const queue = createCoalescer<string, string>({
    maxRunning: 2,
    maxIds: 3,
    onePerId,
    run: (key, reqs) =>
      new Promise((resolve, reject) => {
        runs.push({
          key,
          reqs,
          release: () =>
            reqs.some(fail)
              ? reject(new Error(`refused ${reqs.find(fail)}`))
              : resolve(reqs.map((r) => `${r} done`)),
        });
      }),
  });
  return { runs, queue };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('coalescer', () => {
  it('starts a lone write at once', async () => {
    const { runs, queue } = recorder();
    const p = queue.submit('', ['a'], 'A');
    assert.deepEqual(
      runs.map((r) => r.reqs),
      [['A']],
    );
    runs[0].release();
    assert.equal(await p, 'A done');
  });

  it('puts the writes that wait for a running transaction into the next one, in order', async () => {
    const { runs, queue } = recorder();
    const results = ['a', 'b', 'c', 'd', 'e'].map((id) => queue.submit('', [id], id.toUpperCase()));
    assert.deepEqual(
      runs.map((r) => r.reqs),
      [['A'], ['B']],
    );
    runs[0].release();
    await tick();
    assert.deepEqual(runs[2].reqs, ['C', 'D', 'E']);
    runs[1].release();
    runs[2].release();
    assert.deepEqual(await Promise.all(results), ['A done', 'B done', 'C done', 'D done', 'E done']);
  });

  it('never shares a transaction between two writes of one entity, nor between tenants', async () => {
    const { runs, queue } = recorder();
    queue.submit('', ['a'], 'A1');
    queue.submit('', ['b'], 'B1');
    queue.submit('', ['a'], 'A2');
    queue.submit('', ['a', 'c'], 'A3');
    queue.submit('other', ['c'], 'C-other');
    queue.submit('', ['d'], 'D');
    for (let i = 0; i < 4; i++) {
      for (const r of runs) r.release();
      await tick();
    }
    assert.deepEqual(
      runs.map((r) => `${r.key}:${r.reqs.join('+')}`),
      [':A1', ':B1', ':A2', ':A3+D', 'other:C-other'],
    );
  });

  it('without onePerId (reads), lets requests about one entity share a run', async () => {
    const { runs, queue } = recorder(undefined, false);
    const results = ['a', 'b', 'a', 'a', 'c'].map((id, k) => queue.submit('', [id], `${id}${k}`));
    for (let i = 0; i < 3; i++) {
      for (const r of runs) r.release();
      await tick();
    }
    assert.deepEqual(
      runs.map((r) => r.reqs.join('+')),
      ['a0', 'b1', 'a2+a3+c4'],
    );
    assert.deepEqual(await Promise.all(results), ['a0 done', 'b1 done', 'a2 done', 'a3 done', 'c4 done']);
  });

  it('runs a write larger than a shared transaction at once, even when all are busy', async () => {
    const { runs, queue } = recorder();
    queue.submit('', ['a'], 'A');
    queue.submit('', ['b'], 'B');
    queue.submit('', ['c'], 'C');
    const big = queue.submit('', ['w', 'x', 'y', 'z'], 'BIG');
    assert.deepEqual(
      runs.map((r) => r.reqs.join('+')),
      ['A', 'B', 'BIG'],
    );
    runs[2].release();
    assert.equal(await big, 'BIG done');
  });

  it('when a shared transaction fails, runs each of its writes alone: only the culprit fails', async () => {
    const { runs, queue } = recorder((req) => req === 'BAD');
    queue.submit('', ['a'], 'A');
    queue.submit('', ['b'], 'B');
    const waiting = [
      queue.submit('', ['c'], 'C'),
      queue.submit('', ['d'], 'BAD'),
      queue.submit('', ['e'], 'E'),
    ];
    const settling = Promise.allSettled(waiting);
    runs[0].release();
    await tick();
    assert.deepEqual(runs[2].reqs, ['C', 'BAD', 'E']);
    runs[2].release();
    for (let i = 3; i < 6; i++) {
      await tick();
      runs[i].release();
    }
    const settled = await settling;
    assert.deepEqual(
      runs.slice(3).map((r) => r.reqs),
      [['C'], ['BAD'], ['E']],
    );
    assert.deepEqual(
      settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message)),
      ['C done', 'refused BAD', 'E done'],
    );
  });
});
