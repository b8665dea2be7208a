/**
 * One farm service (a worker or an aggregator) run as its own process group, the way an operator starts
 * it, with its JSON log lines kept in memory: the chaos run reads them to count epochs trained twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export type LogRecord = Record<string, unknown>;

export interface ServiceProcess {
  readonly id: string;
  readonly process: ChildProcess;
  /** JSON log records it wrote to stderr so far (other lines as `{ level: 'raw', msg }`). */
  readonly logs: LogRecord[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True once it exited. */
  readonly done: boolean;
  /** Signals the whole process group (the worker's sandboxed trainers included). */
  kill(signal: NodeJS.Signals): void;
}

export interface SpawnServiceOptions {
  id: string;
  cwd: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** The log message that says it is ready (`worker ready`, `aggregator ready`). */
  readyMessage: string;
  readyTimeoutMs?: number;
  /** Called right after the spawn, before it is ready: whoever cleans up must know about it already. */
  onSpawn?: (service: ServiceProcess) => void;
}

/** Spawns `node <args>` and resolves once it logged `readyMessage`; rejects if it exits or times out first. */
export async function spawnService(options: SpawnServiceOptions): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...options.args], {
    cwd: options.cwd,
    // Its own process group, so a SIGKILL reaches the sandboxed children too (as a crashed machine would).
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: options.env ?? process.env,
  });
  const logs: LogRecord[] = [];
  let buffered = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        logs.push(JSON.parse(line) as LogRecord);
      } catch {
        logs.push({ level: 'raw', msg: line });
      }
    }
  });
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    }),
  );
  const service: ServiceProcess = {
    id: options.id,
    process: child,
    logs,
    exited,
    get done() {
      return done;
    },
    kill(signal) {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    },
  };
  options.onSpawn?.(service);
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (!logs.some((l) => l.msg === options.readyMessage)) {
    if (done) {
      throw new Error(`${options.id} exited during start-up: ${JSON.stringify(logs.slice(-5))}`);
    }
    if (Date.now() > deadline) {
      service.kill('SIGKILL');
      throw new Error(`${options.id} did not log '${options.readyMessage}' in time`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return service;
}
