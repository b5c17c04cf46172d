/**
 * CPU time of the bench's other processes, read from /proc (Linux), and pinning them to cores
 * with taskset: how much of a core the nodes, the database server and the receiver each spend per
 * callback, measured apart. The PostgreSQL server is found through one of its backends, whose
 * parent is the postmaster; the time of backends that already exited is in the postmaster's
 * "children" fields once it has reaped them.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

const MS_PER_TICK = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

interface ProcStat {
  ppid: number;
  /** utime + stime, in ms. */
  ownMs: number;
  /** cutime + cstime (reaped children), in ms. */
  childrenMs: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone
  }
  // The command name may hold spaces and parentheses: the fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Counted from `state` (field 3 of proc(5)): ppid is field 4, utime..cstime fields 14..17.
  const field = (n: number) => Number(fields[n - 3]);
  return { ppid: field(4), ownMs: (field(14) + field(15)) * MS_PER_TICK, childrenMs: (field(16) + field(17)) * MS_PER_TICK };
}

/** CPU ms the live processes `pids` have used so far. */
export function cpuMsOf(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + (readStat(pid)?.ownMs ?? 0), 0);
}

function childrenOf(parent: number): number[] {
  return fs.readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => readStat(pid)?.ppid === parent);
}

/** The postmaster of the backend `backendPid`, or undefined when that backend is not on this machine. */
export function postmasterOf(backendPid: number): number | undefined {
  return readStat(backendPid)?.ppid;
}

/** CPU ms a PostgreSQL server has used so far: the postmaster, its live children and those reaped. */
export function serverCpuMs(postmaster: number): number {
  const main = readStat(postmaster);
  if (!main) return 0;
  return main.ownMs + main.childrenMs + childrenOf(postmaster).reduce((sum, pid) => {
    const child = readStat(pid);
    return sum + (child ? child.ownMs + child.childrenMs : 0);
  }, 0);
}

/** Pins every thread of `pid` to `cpus` (e.g. "0" or "1-3"); a server's new children inherit it. */
export function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/** Pins a PostgreSQL server: the postmaster and the children it already has. */
export function pinServer(postmaster: number, cpus: string): void {
  for (const pid of [postmaster, ...childrenOf(postmaster)]) pin(pid, cpus);
}

export const ALL_CPUS = `0-${os.cpus().length - 1}`;
