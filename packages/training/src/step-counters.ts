import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import type { BatchProgress } from './train-trial.ts';

/** A count of transfers and their size. */
export interface Transfers {
  count: number;
  bytes: number;
}

/**
 * What the host did to the device while counting: the numbers that decide whether a GPU is fed or
 * starved, and that are the same on Mesa's llvmpipe as on an H200 (so they can be driven down on any
 * machine). Engine-level counts exist on every backend; the `gpu` part only on webgpu, where it is
 * read off the WebGPU API itself, so it also sees what kernels do behind tfjs's back.
 */
export interface ActivityCounts {
  /** tfjs kernels run through the engine (ops and gradients; not kernels nested inside kernels). */
  kernels: number;
  /** Tensors whose values the host wrote to the backend (`tf.tensor`, a JS number in an op, `tf.ones`…). */
  hostTensors: Transfers;
  /** Reads of tensor values back to the host (`data()`, `dataSync()`, `array()`…). */
  reads: Transfers;
  gpu?: {
    /** Compute dispatches (`dispatchWorkgroups`). */
    dispatches: number;
    /** Host → device copies of tensor data: mapped-at-creation buffers and writeBuffer to non-uniform buffers. */
    uploads: Transfers;
    /** Small per-dispatch parameter blocks written to uniform buffers (shapes, strides, scalars). */
    uniformWrites: Transfers;
    /** Device → host buffer maps for reading. */
    reads: Transfers;
    /** Command buffers submitted. */
    submits: number;
  };
}

export interface ActivityCounter {
  /** The counts since `countActivity()` (a copy). */
  snapshot(): ActivityCounts;
  /** Puts every wrapped method back. */
  stop(): void;
}

// WebGPU's numeric flags, spelled out: Node has no GPUBufferUsage unless Dawn's globals are installed.
const MAP_READ = 0x0001;
const UNIFORM = 0x0040;
const MAP_MODE_READ = 0x0001;

/**
 * Starts counting the host's traffic with the active backend by wrapping tfjs's engine and, on
 * webgpu, the WebGPU API's prototypes. One counter at a time, on the backend active
 * when it starts; `stop()` restores everything. For benchmarks and tests: the wrappers cost a few
 * function calls per op.
 */
export function countActivity(): ActivityCounter {
  const counts: ActivityCounts = {
    kernels: 0,
    hostTensors: { count: 0, bytes: 0 },
    reads: { count: 0, bytes: 0 },
  };
  const restore: (() => void)[] = [];
  const engine = tf.engine() as unknown as Record<string, (...args: never[]) => unknown>;
  wrap(engine, 'runKernelFunc', restore, (params: { kernelName?: string }) => {
    // Custom-gradient scopes also pass through here; only registered kernels are kernels.
    if (params.kernelName !== undefined) counts.kernels += 1;
  });
  // A tensor that shares data already on the device (see device-constants.ts) moved nothing: only a
  // call that added a data buffer brought values from the host.
  const state = (engine as unknown as { state: { numDataBuffers: number } }).state;
  let buffersBefore: number[] = [];
  wrap<[ArrayLike<unknown>], tf.Tensor>(
    engine,
    'makeTensor',
    restore,
    () => {
      buffersBefore.push(state.numDataBuffers);
    },
    (made: tf.Tensor, values: ArrayLike<unknown>) => {
      const before = buffersBefore.pop();
      if (before === undefined || state.numDataBuffers <= before) return;
      counts.hostTensors.count += 1;
      counts.hostTensors.bytes += values.length * (made.dtype === 'string' ? 1 : 4);
    },
  );
  restore.push(() => {
    buffersBefore = [];
  });
  const countRead = (dataId: object) => {
    counts.reads.count += 1;
    const info = (
      engine as unknown as { state: { tensorInfo: WeakMap<object, { bytes: number }> } }
    ).state.tensorInfo.get(dataId);
    counts.reads.bytes += info?.bytes ?? 0;
  };
  wrap(engine, 'read', restore, countRead);
  wrap(engine, 'readSync', restore, countRead);
  if (tf.getBackend() === 'webgpu') counts.gpu = countWebgpu(restore);
  let stopped = false;
  return {
    snapshot: () => structuredClone(counts),
    stop() {
      if (stopped) return;
      stopped = true;
      for (const undo of restore.reverse()) undo();
    },
  };
}

/** Per-step traffic, and how long the main thread was busy per step (not waiting on the device). */
export interface StepActivity extends ActivityCounts {
  /** Milliseconds per step of event-loop utilisation. */
  mainThreadMs: number;
}

/**
 * The traffic of whole training steps, fed with a trial's `onBatch` reports: from the report of train
 * batch `from` to the first report after batch `to` was queued. Where reads lag a batch behind (webgpu)
 * both ends lag alike, so the window covers whole steps, each queued, run and read.
 */
export function stepWindow(
  counter: ActivityCounter,
  from: number,
  to: number,
): { observe(progress: BatchProgress): void; result(): StepActivity | undefined } {
  let start: { counts: ActivityCounts; queued: number; elu: EventLoopUtilization } | undefined;
  let result: StepActivity | undefined;
  return {
    observe(p) {
      if (p.phase !== 'train' || result !== undefined) return;
      if (p.batch === from) {
        start = { counts: counter.snapshot(), queued: p.queued, elu: performance.eventLoopUtilization() };
      } else if (start && p.queued === to && p.queued > start.queued) {
        const steps = p.queued - start.queued;
        result = {
          ...perStep(start.counts, counter.snapshot(), steps),
          mainThreadMs: performance.eventLoopUtilization(start.elu).active / steps,
        };
      }
    },
    result: () => result,
  };
}

/** Per-step figures: `after − before`, divided by the steps between the two snapshots. */
export function perStep(before: ActivityCounts, after: ActivityCounts, steps: number): ActivityCounts {
  const t = (a: Transfers, b: Transfers): Transfers => ({
    count: (b.count - a.count) / steps,
    bytes: (b.bytes - a.bytes) / steps,
  });
  const result: ActivityCounts = {
    kernels: (after.kernels - before.kernels) / steps,
    hostTensors: t(before.hostTensors, after.hostTensors),
    reads: t(before.reads, after.reads),
  };
  if (before.gpu && after.gpu) {
    result.gpu = {
      dispatches: (after.gpu.dispatches - before.gpu.dispatches) / steps,
      uploads: t(before.gpu.uploads, after.gpu.uploads),
      uniformWrites: t(before.gpu.uniformWrites, after.gpu.uniformWrites),
      reads: t(before.gpu.reads, after.gpu.reads),
      submits: (after.gpu.submits - before.gpu.submits) / steps,
    };
  }
  return result;
}

function countWebgpu(restore: (() => void)[]): NonNullable<ActivityCounts['gpu']> {
  const gpu = {
    dispatches: 0,
    uploads: { count: 0, bytes: 0 },
    uniformWrites: { count: 0, bytes: 0 },
    reads: { count: 0, bytes: 0 },
    submits: 0,
  };
  const globals = globalThis as unknown as Record<
    string,
    { prototype: Record<string, (...args: never[]) => unknown> }
  >;
  const proto = (name: string) => {
    const found = globals[name]?.prototype;
    if (found === undefined) throw new Error(`${name} is missing: is the webgpu backend (Dawn) active?`);
    return found;
  };
  wrap(proto('GPUComputePassEncoder'), 'dispatchWorkgroups', restore, () => {
    gpu.dispatches += 1;
  });
  wrap(proto('GPUQueue'), 'submit', restore, () => {
    gpu.submits += 1;
  });
  wrap(
    proto('GPUQueue'),
    'writeBuffer',
    restore,
    (
      buffer: { usage: number },
      _offset: number,
      data: ArrayBufferView | ArrayBuffer,
      _dataOffset?: number,
      size?: number,
    ) => {
      const bytes = size ?? data.byteLength;
      const target = (buffer.usage & UNIFORM) !== 0 ? gpu.uniformWrites : gpu.uploads;
      target.count += 1;
      target.bytes += bytes;
    },
  );
  wrap(
    proto('GPUDevice'),
    'createBuffer',
    restore,
    (descriptor: { size: number; usage: number; mappedAtCreation?: boolean }) => {
      // tfjs uploads a tensor by creating a buffer mapped at creation and filling it; a buffer made to be
      // read back is created mapped too by nobody, but be exact anyway.
      if (descriptor.mappedAtCreation === true && (descriptor.usage & MAP_READ) === 0) {
        gpu.uploads.count += 1;
        gpu.uploads.bytes += descriptor.size;
      }
    },
  );
  wrap(proto('GPUBuffer'), 'mapAsync', restore, function (this: { size: number }, mode: number) {
    if ((mode & MAP_MODE_READ) !== 0) {
      gpu.reads.count += 1;
      gpu.reads.bytes += this.size;
    }
  });
  return gpu;
}

/**
 * Replaces `target[name]` by a function that calls `before`, the original, then `after` with its
 * result; the undo is queued on `restore`.
 */
function wrap<A extends unknown[], R = unknown>(
  target: Record<string, (...args: never[]) => unknown>,
  name: string,
  restore: (() => void)[],
  before: ((this: never, ...args: A) => void) | undefined,
  after?: (result: R, ...args: A) => void,
): void {
  const original = target[name];
  if (typeof original !== 'function') throw new Error(`cannot count calls of ${name}: it is not a method`);
  const own = Object.hasOwn(target, name);
  target[name] = function (this: unknown, ...args: never[]) {
    (before as ((this: unknown, ...a: unknown[]) => void) | undefined)?.apply(this, args);
    const result = (original as (...a: unknown[]) => unknown).apply(this, args);
    (after as ((r: unknown, ...a: unknown[]) => void) | undefined)?.(result, ...args);
    return result;
  };
  restore.push(() => {
    if (own) target[name] = original;
    else delete target[name];
  });
}
