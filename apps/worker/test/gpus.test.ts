/**
 * `gpus`: one BullMQ worker per GPU in one process, each trainer process pinned to its GPU through its
 * environment. The GPUs are a stand-in for the NVIDIA driver's /proc listing (so the test means the same
 * on a machine with or without GPUs); the trainers use the cpu backend. What is checked is what the
 * operating system and the trainers themselves report: the environment of the real child processes
 * (/proc/PID/environ) and the line each trainer logs at start-up.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFarmQueues } from '@satfarm/queue';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHILD_CONFIG_ENV } from '../src/child-config.ts';
import { startWorker, type WorkerHandle } from '../src/index.ts';
import { recordingLogger } from './recording-logger.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `satfarm-test-gpus-${process.pid}-${Date.now()}`;
const BUS_IDS = ['0000:18:00.0', '0000:3b:00.0'];

let worker: WorkerHandle | undefined;
let dir: string | undefined;
let restoreStderr: (() => void) | undefined;
afterEach(async () => {
  await worker?.close();
  worker = undefined;
  restoreStderr?.();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  const queues = openFarmQueues({ redisUrl, prefix });
  await queues.obliterate();
  await queues.close();
});

/**
 * Options for a worker on GPUs 0 and 1 (trainers on the cpu backend) on a machine whose driver lists
 * the GPUs at `busIds`: a stand-in for the driver's /proc listing, in a directory removed after the test.
 */
async function onGpus(busIds: readonly string[]) {
  dir = await mkdtemp(join(tmpdir(), 'satfarm-gpus-'));
  const nvidiaGpusDir = join(dir, 'nvidia-gpus');
  for (const busId of busIds) await mkdir(join(nvidiaGpusDir, busId), { recursive: true });
  return {
    redisUrl,
    prefix,
    checkpointStore: 'file',
    checkpointDir: dir,
    fashionMnistDir: '/nonexistent',
    backend: 'cpu' as const,
    gpus: ['0', '1'],
    nvidiaGpusDir,
  };
}

/** The JSON lines written to this process's stderr, where BullMQ pipes its children's stderr. */
function captureStderr(): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  const write = process.stderr.write.bind(process.stderr);
  let pending = '';
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const complete = pending.split('\n');
    pending = complete.pop()!;
    for (const line of complete) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // Not a log line.
      }
    }
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
  restoreStderr = () => {
    process.stderr.write = write;
  };
  return lines;
}

/** This process's children that are trainer processes, with their environment as the kernel holds it. */
async function trainerProcesses(): Promise<{ pid: number; env: Map<string, string> }[]> {
  const found: { pid: number; env: Map<string, string> }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = await readFile(`/proc/${entry}/status`, 'utf8');
      if (status.match(/^PPid:\s+(\d+)$/m)?.[1] !== String(process.pid)) continue;
      const environ = await readFile(`/proc/${entry}/environ`, 'utf8');
      const env = new Map(
        environ
          .split('\0')
          .filter((kv) => kv.includes('='))
          .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as [string, string]),
      );
      if (env.has(CHILD_CONFIG_ENV)) found.push({ pid: Number(entry), env });
    } catch {
      // Gone meanwhile.
    }
  }
  return found.sort((a, b) => (a.env.get('SATFARM_GPU') ?? '').localeCompare(b.env.get('SATFARM_GPU') ?? ''));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(process.platform !== 'linux')('startWorker with gpus', () => {
  it('runs one worker per GPU whose trainer processes see only their GPU, and closes them all', async () => {
    const options = await onGpus(BUS_IDS);
    const stderr = captureStderr();
    const { records, logger } = recordingLogger();

    worker = await startWorker({ ...options, workerId: 'gpu-test', logger });

    // One trainer per GPU, started before 'worker ready'.
    expect(records.find((r) => r.msg === 'trainer processes ready')?.fields).toMatchObject({
      ready: 2,
      failed: 0,
      supported: true,
    });
    expect(records.find((r) => r.msg === 'worker ready')?.fields).toMatchObject({
      workerId: 'gpu-test',
      concurrency: 2,
      gpus: [
        { gpu: '0', trainers: 1, pciBusId: BUS_IDS[0] },
        { gpu: '1', trainers: 1, pciBusId: BUS_IDS[1] },
      ],
    });

    const trainers = await trainerProcesses();
    expect(trainers).toHaveLength(2);
    expect(
      trainers.map(({ env }) => ({
        CUDA_VISIBLE_DEVICES: env.get('CUDA_VISIBLE_DEVICES'),
        CUDA_DEVICE_ORDER: env.get('CUDA_DEVICE_ORDER'),
        DRI_PRIME: env.get('DRI_PRIME'),
        workerId: (JSON.parse(env.get(CHILD_CONFIG_ENV)!) as { workerId: string }).workerId,
      })),
    ).toEqual([
      {
        CUDA_VISIBLE_DEVICES: '0',
        CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
        DRI_PRIME: 'pci-0000_18_00_0',
        workerId: 'gpu-test/gpu0',
      },
      {
        CUDA_VISIBLE_DEVICES: '1',
        CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
        DRI_PRIME: 'pci-0000_3b_00_0',
        workerId: 'gpu-test/gpu1',
      },
    ]);

    // Each trainer says, from its own process.env, which GPU it is pinned to.
    await vi.waitFor(() => {
      const pinned = stderr.filter((l) => l.msg === 'trainer process pinned to a GPU');
      expect(pinned.map((l) => [l.pid, l.gpu, l.CUDA_VISIBLE_DEVICES, l.workerId])).toEqual(
        expect.arrayContaining([
          [trainers[0]!.pid, '0', '0', 'gpu-test/gpu0'],
          [trainers[1]!.pid, '1', '1', 'gpu-test/gpu1'],
        ]),
      );
    });

    await worker.close();
    worker = undefined;
    expect(trainers.filter((t) => alive(t.pid))).toEqual([]);
    expect(await trainerProcesses()).toEqual([]);
    expect(records.at(-1)?.msg).toBe('worker stopped');
  });

  it('refuses a GPU the driver does not list, before starting anything', async () => {
    const attempt = startWorker({ ...(await onGpus([BUS_IDS[0]!])), logger: recordingLogger().logger });
    await expect(attempt).rejects.toThrow(
      /no GPU 1 on this machine; the NVIDIA driver lists 1 \(0 = 0000:18:00.0\)/,
    );
    expect(await trainerProcesses()).toEqual([]);
  });
});
