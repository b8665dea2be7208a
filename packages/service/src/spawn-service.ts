/**
 * A satfarm service (a worker, an aggregator) run as a child process the way an operator starts it:
 * `node --import tsx ENTRY --flag value …` in its own process group, its JSON log lines kept in memory
 * (tests and benches read them: `worker ready`, `epoch done`, …).
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
  /** node's arguments: `--import tsx ENTRY --flag value …`. */
  args: readonly string[];
  /**
   * A command node runs under (`ip netns exec NAME`); it must exec node in place, so that the child's
   * process group is the service's.
   */
  wrapper?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/** Spawns `node <args>` (under `wrapper`) and starts collecting its log; does not wait for anything. */
export function spawnService(options: SpawnServiceOptions): ServiceProcess {
  const [command, ...args] = [...(options.wrapper ?? []), process.execPath, ...options.args];
  const child = spawn(command!, args, {
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
  return {
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
}

/**
 * Resolves once the service logged `readyMessage`; rejects if it exits first, or (killing it) when
 * `timeoutMs` runs out.
 */
export async function untilReady(
  service: ServiceProcess,
  readyMessage: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!service.logs.some((l) => l.msg === readyMessage)) {
    if (service.done) {
      throw new Error(`${service.id} exited during start-up: ${JSON.stringify(service.logs.slice(-5))}`);
    }
    if (Date.now() > deadline) {
      service.kill('SIGKILL');
      throw new Error(`${service.id} did not log '${readyMessage}' in time`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface StartServiceOptions extends SpawnServiceOptions {
  /** The log message that says it is ready (`worker ready`, `aggregator ready`). */
  readyMessage: string;
  readyTimeoutMs?: number;
  /** Called right after the spawn, before it is ready: whoever cleans up must know about it already. */
  onSpawn?: (service: ServiceProcess) => void;
}

/** Spawns the service and resolves once it is ready (see `spawnService`, `untilReady`). */
export async function startService(options: StartServiceOptions): Promise<ServiceProcess> {
  const service = spawnService(options);
  options.onSpawn?.(service);
  await untilReady(service, options.readyMessage, options.readyTimeoutMs);
  return service;
}
