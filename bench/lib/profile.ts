import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './server.js';

/**
 * Summaries of a V8 .cpuprofile (node --cpu-prof): where the server spent its CPU time, per benchmark step.
 * Sample times and step windows are both CLOCK_MONOTONIC microseconds (V8's TimeTicks and
 * process.hrtime on Linux), so the server's samples can be cut by the bench's step windows.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A step of the benchmark, in CLOCK_MONOTONIC microseconds. */
export interface Window {
  name: string;
  fromUs: number;
  toUs: number;
}

/** Now, in CLOCK_MONOTONIC microseconds. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export interface Hotspot {
  name: string;
  where: string;
  /** Share of the busy time of the window. */
  share: number;
}

export interface WindowSummary {
  name: string;
  busyMs: number;
  idleMs: number;
  /** Self time by package (node_modules/<pkg>, escale file, node internals, native). */
  packages: Hotspot[];
  /** Self time by function. */
  self: Hotspot[];
  /** Inclusive time of Escale's own functions (src/), to see which code paths the time goes through. */
  escale: Hotspot[];
}

export interface ProfileSummary {
  files: string[];
  windows: WindowSummary[];
}

function shortUrl(url: string): string {
  let u = url.replace(/^file:\/\//, '');
  if (u.startsWith(REPO_ROOT)) u = u.slice(REPO_ROOT.length + 1);
  return u;
}

function packageOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native: V8 builtins, C++ bindings)';
  if (url.startsWith('node:')) return 'node internals';
  const u = shortUrl(url);
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (nm) return nm[1];
  return u;
}

/**
 * The server's main-thread profiles among those node --cpu-prof wrote in dir: one per server process (the
 * benchmark may restart the server), without those of the module-loader thread of `--import tsx`.
 */
export function serverProfiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .filter((f) => readFileSync(f, 'utf8').includes('/src/broker/'));
}

export function summarizeProfiles(
  files: readonly string[],
  windows: readonly Window[],
  top = 15,
): ProfileSummary {
  const acc = windows.map(() => ({
    busy: 0,
    idle: 0,
    packages: new Map<string, number>(),
    self: new Map<string, number>(),
    escale: new Map<string, number>(),
  }));
  for (const file of files) addProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, windows, acc);
  const hot = (m: Map<string, number>, busy: number, n: number): Hotspot[] =>
    [...m.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, n)
      .map(([k, ms]) => {
        const [name, where = ''] = k.split('\u0000');
        return { name, where, share: busy > 0 ? ms / busy : 0 };
      });
  return {
    files: [...files],
    windows: windows.map((w, i) => ({
      name: w.name,
      busyMs: acc[i].busy,
      idleMs: acc[i].idle,
      packages: hot(acc[i].packages, acc[i].busy, 10),
      self: hot(acc[i].self, acc[i].busy, top),
      escale: hot(acc[i].escale, acc[i].busy, top),
    })),
  };
}

interface WindowAcc {
  busy: number;
  idle: number;
  packages: Map<string, number>;
  self: Map<string, number>;
  escale: Map<string, number>;
}

function addProfile(p: CpuProfile, windows: readonly Window[], acc: WindowAcc[]): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // tsx emits each module on few lines: the column tells anonymous functions (route handlers...) apart.
  const key = (f: CallFrame) =>
    `${f.functionName || '(anonymous)'}\u0000${f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}:${f.columnNumber + 1}` : ''}`;

  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    const w = windows.findIndex((x) => t >= x.fromUs && t < x.toUs);
    if (w < 0) continue;
    const a = acc[w];
    const node = byId.get(p.samples[i]);
    if (!node) continue;
    if (node.callFrame.functionName === '(idle)') {
      a.idle += dt;
      continue;
    }
    a.busy += dt;
    const pkg = packageOf(node.callFrame);
    a.packages.set(pkg, (a.packages.get(pkg) ?? 0) + dt);
    const k = key(node.callFrame);
    a.self.set(k, (a.self.get(k) ?? 0) + dt);
    // Inclusive time of Escale functions: each function counted once per sample, however deep it recurses.
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)?.callFrame;
      if (!f?.url.includes('/src/') || f.url.includes('node_modules')) continue;
      const fk = key(f);
      if (seen.has(fk)) continue;
      seen.add(fk);
      a.escale.set(fk, (a.escale.get(fk) ?? 0) + dt);
    }
  }
}

export function profileLines(s: ProfileSummary): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  const lines = [
    `server CPU profile (${s.files.map(shortUrl).join(', ')}), per step, shares of the server's busy time:`,
  ];
  for (const w of s.windows) {
    const total = w.busyMs + w.idleMs;
    lines.push(
      `-- ${w.name}: server busy ${(w.busyMs / 1000).toFixed(1)} s of ${(total / 1000).toFixed(1)} s sampled ` +
        `(${total > 0 ? pct(w.busyMs / total).trim() : 'n/a'} of one core)`,
    );
    if (w.busyMs === 0) continue;
    lines.push('   self time by package:');
    for (const h of w.packages) lines.push(`     ${pct(h.share)}  ${h.name}`);
    lines.push('   self time by function:');
    for (const h of w.self) lines.push(`     ${pct(h.share)}  ${h.name}  ${h.where}`);
    lines.push('   inclusive time of Escale functions:');
    for (const h of w.escale) lines.push(`     ${pct(h.share)}  ${h.name}  ${h.where}`);
  }
  return lines;
}
