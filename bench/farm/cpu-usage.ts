import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system) used so far, from Linux's /proc, grouped the way the farm splits its
 * work: our worker process groups (parents and sandboxed children), this process (bench + aggregator),
 * the whole redis-server (shared with anyone else using it) and the PostgreSQL backends connected to
 * our database. Elsewhere it reports nothing; it is only there to say where time goes.
 */
export interface CpuSnapshot {
  workers: number;
  benchAndAggregator: number;
  redisServer: number;
  postgresBackends: number;
}

const TICKS = 100; // USER_HZ on every Linux this runs on

export function cpuSnapshot(workerGroups: readonly number[], database: string): CpuSnapshot | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  const groups = new Set(workerGroups);
  const out: CpuSnapshot = { workers: 0, benchAndAggregator: 0, redisServer: 0, postgresBackends: 0 };
  for (const pid of entries) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // Fields after the command: state(0) ppid(1) pgrp(2) … utime(11) stime(12).
    const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS;
    const pgrp = Number(fields[2]);
    if (Number(pid) === process.pid) out.benchAndAggregator += seconds;
    else if (groups.has(pgrp)) out.workers += seconds;
    else if (comm.startsWith('redis-server')) out.redisServer += seconds;
    else if (comm.startsWith('postgres') && backendOf(pid) === database) out.postgresBackends += seconds;
  }
  return out;
}

/** A backend's process title is `postgres: <cluster>: <user> <database> <client> <state>`. */
function backendOf(pid: string): string | undefined {
  try {
    const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    return title.split(/\s+/)[3];
  } catch {
    return undefined;
  }
}

export function cpuDelta(after: CpuSnapshot | undefined, before: CpuSnapshot | undefined) {
  if (after === undefined || before === undefined) return undefined;
  return {
    workers: after.workers - before.workers,
    benchAndAggregator: after.benchAndAggregator - before.benchAndAggregator,
    redisServer: after.redisServer - before.redisServer,
    postgresBackends: after.postgresBackends - before.postgresBackends,
  };
}
