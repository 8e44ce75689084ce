import { readdirSync, readFileSync } from 'node:fs';

/**
 * How much of the machine's CPU went to other processes than the benchmark's own (this process, the server,
 * and the PostgreSQL cluster in use) during a step: on a shared machine a busy neighbour skews every figure,
 * and the report says so. Both shares are summed per process from /proc, so they are measured independently.
 */

function machineTotal(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  // user nice system idle iowait irq softirq steal (guest time is already counted in user)
  return line
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number)
    .reduce((a, b) => a + b, 0);
}

function machineBusyJiffies(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - f[4], total };
}

interface ProcStat {
  ppid: number;
  /** utime + stime, clock ticks. */
  jiffies: number;
}

function readStat(pid: number | 'self'): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state): ppid is field 4, utime and stime fields 14 and 15.
    return { ppid: Number(f[1]), jiffies: Number(f[11]) + Number(f[12]) };
  } catch {
    return undefined;
  }
}

/** The parent pid of a process; undefined if it is gone. */
export function parentPid(pid: number): number | undefined {
  return readStat(pid)?.ppid;
}

function allProcesses(): Map<number, ProcStat> {
  const out = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.set(Number(name), s);
  }
  return out;
}

export interface CpuSnapshot {
  total: number;
  procs: Map<number, ProcStat>;
}

export interface CpuShare {
  /** Share of the machine's CPU capacity used by other processes, 0-1. */
  foreign: number;
  /** Share used by the benchmark's own processes, 0-1. */
  own: number;
}

export class CpuWatch {
  constructor(
    private readonly serverPid: () => number | undefined,
    /** The postmaster of the PostgreSQL cluster in use, when it runs on this machine. */
    private readonly postmaster?: number,
  ) {}

  snapshot(): CpuSnapshot | undefined {
    try {
      return { total: machineTotal(), procs: allProcesses() };
    } catch {
      return undefined; // not Linux
    }
  }

  since(start: CpuSnapshot | undefined): CpuShare | undefined {
    const end = this.snapshot();
    if (!start || !end) return undefined;
    const total = end.total - start.total;
    if (total <= 0) return undefined;
    const server = this.serverPid();
    const ownPid = (pid: number, s: ProcStat) =>
      pid === process.pid ||
      pid === server ||
      (this.postmaster !== undefined && (pid === this.postmaster || s.ppid === this.postmaster));
    let own = 0;
    let foreign = 0;
    for (const [pid, s] of end.procs) {
      // A process that started during the step counts in full (pid reuse within a step is negligible).
      const delta = s.jiffies - (start.procs.get(pid)?.jiffies ?? 0);
      if (delta <= 0) continue;
      if (ownPid(pid, s)) own += delta;
      else foreign += delta;
    }
    return { foreign: Math.min(1, foreign / total), own: Math.min(1, own / total) };
  }
}

/** Machine CPU busy share over `ms`, 0-1 (to see whether the machine is quiet before a run). */
export async function machineBusy(ms: number): Promise<number | undefined> {
  try {
    const a = machineBusyJiffies();
    await new Promise((r) => setTimeout(r, ms));
    const b = machineBusyJiffies();
    return (b.busy - a.busy) / Math.max(1, b.total - a.total);
  } catch {
    return undefined;
  }
}
