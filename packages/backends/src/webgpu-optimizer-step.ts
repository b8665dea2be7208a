import * as tf from '@tensorflow/tfjs';

/*
 * One optimizer step as ONE compute dispatch per variable, recorded straight into
 * tfjs-backend-webgpu's own command encoder and compute pass (so it is ordered with the kernels
 * before and after it, and submitted in tfjs's batches). Each dispatch rewrites the variable and its
 * slots in place and reads the gradient; the step's scalars travel in one 16–32-byte uniform buffer
 * shared by all dispatches. No tensor data is uploaded. In tfjs's bookkeeping every written tensor
 * still gets a new data id each step, as with tfjs's own `assign`-based optimizers (see ownBufferOf).
 * This module must not import tfjs-backend-webgpu (see webgpu-kernel-choice.ts): it reads the active
 * backend's internals, which are pinned with tfjs 4.22.
 */

// WebGPU's numeric flags, spelled out: the GPU* globals exist only once Dawn's are installed.
const BUFFER_UNIFORM = 0x0040;
const BUFFER_COPY_DST = 0x0008;

/** Threads per workgroup, and the most workgroups one dispatch gets; longer arrays loop (grid stride). */
export const WORKGROUP_SIZE = 256;
export const MAX_WORKGROUPS = 1024;

/*
 * The few WebGPU and tfjs-backend-webgpu 4.22 members used here (structural: the project does not
 * load @webgpu/types).
 */
interface GpuBuffer {
  readonly size: number;
  readonly usage: number;
}
interface GpuBindGroupLayout {
  readonly label: string;
}
interface GpuPipeline {
  getBindGroupLayout(index: number): GpuBindGroupLayout;
}
interface GpuComputePass {
  setPipeline(pipeline: GpuPipeline): void;
  setBindGroup(index: number, group: unknown): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}
interface GpuCommandEncoder {
  beginComputePass(descriptor?: object): GpuComputePass;
  copyBufferToBuffer(
    source: GpuBuffer,
    sourceOffset: number,
    target: GpuBuffer,
    targetOffset: number,
    size: number,
  ): void;
}
interface GpuDevice {
  createShaderModule(descriptor: { code: string; label?: string }): unknown;
  createComputePipeline(descriptor: {
    layout: 'auto';
    compute: { module: unknown; entryPoint: string };
    label?: string;
  }): GpuPipeline;
  createBindGroup(descriptor: {
    layout: GpuBindGroupLayout;
    entries: { binding: number; resource: { buffer: GpuBuffer; offset?: number; size?: number } }[];
  }): unknown;
  createQuerySet(descriptor: { type: 'timestamp'; count: number }): unknown;
}
interface TensorData {
  dtype: string;
  shape: number[];
  refCount: number;
  resource?: unknown;
  values?: unknown;
  external?: boolean;
}
interface WebgpuBackendInternals {
  device: GpuDevice;
  queue: { writeBuffer(buffer: GpuBuffer, offset: number, data: Float32Array): void };
  tensorMap: { get(dataId: object): TensorData | undefined; has(dataId: object): boolean };
  bufferManager: { acquireBuffer(size: number, usage: number): GpuBuffer };
  commandEncoder: GpuCommandEncoder | null;
  computePassEncoder: GpuComputePass | null;
  commandQueueOwnedIds: WeakSet<object>;
  dispatchCountInPass: number;
  uniformPendingDisposal: GpuBuffer[];
  activeTimers?: { name: string; query: Promise<number> }[] | null;
  supportTimestampQuery: boolean;
  querySet: unknown;
  querySetCount: number;
  uploadToGPU(dataId: object): void;
  makeTensorInfo(shape: number[], dtype: 'float32'): tf.TensorInfo;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  getQueryTime(): Promise<number>;
}

/** The active tfjs backend's internals when it is tfjs-backend-webgpu 4.22, else undefined. */
export function activeWebgpuInternals(): WebgpuBackendInternals | undefined {
  if (tf.getBackend() !== 'webgpu') return undefined;
  const b = tf.backend() as unknown as Partial<WebgpuBackendInternals>;
  const complete =
    b.device != null &&
    b.queue != null &&
    b.tensorMap != null &&
    b.bufferManager != null &&
    b.commandQueueOwnedIds != null &&
    Array.isArray(b.uniformPendingDisposal) &&
    typeof b.uploadToGPU === 'function' &&
    typeof b.makeTensorInfo === 'function' &&
    typeof b.ensureCommandEncoderReady === 'function' &&
    typeof b.endComputePassEncoder === 'function' &&
    typeof b.submitQueue === 'function';
  return complete ? (b as WebgpuBackendInternals) : undefined;
}

export type FusedRule = 'adam' | 'momentum';

/** Adam's step constants, float32 on the device (computed in float64 on the host). */
export interface AdamParams {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 − β₁ᵗ and 1 − β₂ᵗ for this step t (1-based). */
  oneMinusBeta1Power: number;
  oneMinusBeta2Power: number;
}

export interface MomentumParams {
  learningRate: number;
  momentum: number;
  useNesterov: boolean;
}

/** One variable's update: the variable, its optimizer slots (Adam: m, v; momentum: the accumulation). */
export interface FusedUpdate {
  value: tf.Variable;
  slots: tf.Variable[];
  gradient: tf.Tensor;
}

// Same arithmetic, in the same order, as tfjs-core 4.22's AdamOptimizer.applyGradients.
const ADAM_WGSL = /* wgsl */ `
struct Params {
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  oneMinusBeta1Power: f32, oneMinusBeta2Power: f32, epsilon: f32, negLearningRate: f32,
}
@group(0) @binding(0) var<storage, read_write> value: array<f32>;
@group(0) @binding(1) var<storage, read_write> m: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read> gradient: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let n = arrayLength(&value);
  let stride = groups.x * ${WORKGROUP_SIZE}u;
  for (var i = id.x; i < n; i += stride) {
    let g = gradient[i];
    let newM = m[i] * p.beta1 + g * p.oneMinusBeta1;
    let newV = v[i] * p.beta2 + (g * g) * p.oneMinusBeta2;
    m[i] = newM;
    v[i] = newV;
    let mHat = newM / p.oneMinusBeta1Power;
    let vHat = newV / p.oneMinusBeta2Power;
    value[i] = (mHat / (sqrt(vHat) + p.epsilon)) * p.negLearningRate + value[i];
  }
}
`;

// Same as tfjs-core 4.22's MomentumOptimizer.applyGradients (Nesterov's form when asked).
const MOMENTUM_WGSL = /* wgsl */ `
struct Params { momentum: f32, negLearningRate: f32, nesterov: f32, unused: f32 }
@group(0) @binding(0) var<storage, read_write> value: array<f32>;
@group(0) @binding(1) var<storage, read_write> accumulation: array<f32>;
@group(0) @binding(2) var<storage, read> gradient: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let n = arrayLength(&value);
  let stride = groups.x * ${WORKGROUP_SIZE}u;
  for (var i = id.x; i < n; i += stride) {
    let g = gradient[i];
    let a = p.momentum * accumulation[i] + g;
    accumulation[i] = a;
    let step = select(a, g + a * p.momentum, p.nesterov != 0.0);
    value[i] = p.negLearningRate * step + value[i];
  }
}
`;

interface CompiledRule {
  pipeline: GpuPipeline;
  layout: GpuBindGroupLayout;
}
const compiled = new WeakMap<GpuDevice, Map<FusedRule, CompiledRule>>();

function compile(device: GpuDevice, rule: FusedRule): CompiledRule {
  let cache = compiled.get(device);
  if (cache == null) {
    cache = new Map();
    compiled.set(device, cache);
  }
  let found = cache.get(rule);
  if (found == null) {
    const label = `satfarm fused ${rule} step`;
    const code = rule === 'adam' ? ADAM_WGSL : MOMENTUM_WGSL;
    const pipeline = device.createComputePipeline({
      label,
      layout: 'auto',
      compute: { module: device.createShaderModule({ label, code }), entryPoint: 'main' },
    });
    found = { pipeline, layout: pipeline.getBindGroupLayout(0) };
    cache.set(rule, found);
  }
  return found;
}

function uniformValues(rule: FusedRule, params: AdamParams | MomentumParams): Float32Array {
  if (rule === 'adam') {
    const a = params as AdamParams;
    return Float32Array.of(
      a.beta1,
      1 - a.beta1,
      a.beta2,
      1 - a.beta2,
      a.oneMinusBeta1Power,
      a.oneMinusBeta2Power,
      a.epsilon,
      -a.learningRate,
    );
  }
  const s = params as MomentumParams;
  return Float32Array.of(s.momentum, -s.learningRate, s.useNesterov ? 1 : 0, 0);
}

/** Whether the fused step can take these updates (all float32 tensors of matching sizes). */
export function fusable(updates: readonly FusedUpdate[], slotsPerVariable: number): boolean {
  return updates.every(
    (u) =>
      u.value.dtype === 'float32' &&
      u.gradient.dtype === 'float32' &&
      u.gradient.size === u.value.size &&
      u.slots.length === slotsPerVariable &&
      u.slots.every((s) => s.dtype === 'float32' && s.size === u.value.size),
  );
}

/**
 * Records one dispatch per update: `value` and its slots are rewritten in place on the device. Uploads
 * no tensor data; writes one small uniform buffer (the rule's scalars, shared by every dispatch).
 * Returns the number of dispatches recorded.
 */
export function recordFusedStep(
  backend: WebgpuBackendInternals,
  rule: FusedRule,
  params: AdamParams | MomentumParams,
  updates: readonly FusedUpdate[],
): number {
  const work = updates.filter((u) => u.value.size > 0);
  if (work.length === 0) return 0;
  // Everything that may need a copy (or a first upload) first: those end the compute pass.
  const bound = work.map((u) => {
    backend.uploadToGPU(u.gradient.dataId);
    const gradient = gpuBuffer(backend, u.gradient.dataId);
    backend.commandQueueOwnedIds.add(u.gradient.dataId);
    const targets = [u.value, ...u.slots].map((t) => ownBufferOf(backend, t));
    return { size: u.value.size, buffers: [...targets, gradient] };
  });

  const uniform = backend.bufferManager.acquireBuffer(
    rule === 'adam' ? 32 : 16,
    BUFFER_UNIFORM | BUFFER_COPY_DST,
  );
  // Written on the queue now, before the commands below are submitted: the buffer is fresh from
  // tfjs's pool, and goes back to it only after the submit that carries these dispatches.
  backend.queue.writeBuffer(uniform, 0, uniformValues(rule, params));

  const { pipeline, layout } = compile(backend.device, rule);
  const timed = backend.activeTimers != null;
  backend.ensureCommandEncoderReady();
  const encoder = backend.commandEncoder!;
  let pass: GpuComputePass;
  if (timed) {
    // As recordAndSubmit does under tf.time/tf.profile: a pass of its own, with timestamps if any.
    backend.endComputePassEncoder();
    const descriptor: { timestampWrites?: object } = {};
    if (backend.supportTimestampQuery) {
      backend.querySet ??= backend.device.createQuerySet({ type: 'timestamp', count: backend.querySetCount });
      descriptor.timestampWrites = {
        querySet: backend.querySet,
        beginningOfPassWriteIndex: 0,
        endOfPassWriteIndex: 1,
      };
    }
    pass = encoder.beginComputePass(descriptor);
  } else {
    backend.computePassEncoder ??= encoder.beginComputePass({});
    pass = backend.computePassEncoder;
  }
  pass.setPipeline(pipeline);
  for (const { size, buffers } of bound) {
    const bytes = size * 4;
    const entries = buffers.map((buffer, binding) => ({
      binding,
      resource: { buffer, offset: 0, size: bytes },
    }));
    entries.push({ binding: entries.length, resource: { buffer: uniform, offset: 0, size: uniform.size } });
    pass.setBindGroup(0, backend.device.createBindGroup({ layout, entries }));
    pass.dispatchWorkgroups(Math.min(MAX_WORKGROUPS, Math.ceil(size / WORKGROUP_SIZE)));
  }
  // Only now: a submit before the dispatches were recorded would have released it.
  backend.uniformPendingDisposal.push(uniform);

  if (timed) {
    pass.end();
    backend.activeTimers!.push({
      name: `Fused${rule === 'adam' ? 'Adam' : 'Momentum'}`,
      query: backend.getQueryTime(),
    });
  } else {
    backend.dispatchCountInPass += bound.length;
    if (tf.env().getNumber('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') <= backend.dispatchCountInPass) {
      backend.endComputePassEncoder();
      backend.submitQueue();
    }
  }
  return bound.length;
}

function gpuBuffer(backend: WebgpuBackendInternals, dataId: object): GpuBuffer {
  const resource = backend.tensorMap.get(dataId)?.resource as Partial<GpuBuffer> | null | undefined;
  // A texture (tfjs keeps only image inputs there) has no byte `size`.
  if (resource == null || typeof resource.size !== 'number' || typeof resource.usage !== 'number') {
    throw new Error('fused optimizer step: a tensor is not held in a GPU buffer');
  }
  return resource as GpuBuffer;
}

/**
 * Gives `variable` a new tfjs data id whose GPU buffer only it holds, and returns that buffer for the
 * dispatch to write in place.
 *
 * Why a new data id at all, when the buffer is written in place: tfjs-backend-webgpu keeps values it
 * has read back on the host, in the data id's entry (`read()` caches them there), and an asynchronous
 * read that is in flight during this step stores its (pre-step) values there when it lands. Writing a
 * buffer under its old id would leave either cache stale. A fresh id — what tfjs's own optimizers
 * produce every step through `assign` — has no cache, and a late read lands on the old id, exactly as
 * it would with tfjs's optimizer.
 *
 * Why the buffer may be moved rather than copied: only when the variable is the sole holder of the old
 * id (`refCount === 1`). tfjs shares one data id between tensors (`reshape`, `clone`, `tf.variable(t)`,
 * `assign(t)` while `t` lives, a gradient that is the very tensor it came from…): then the others
 * must keep the old values, so the variable gets a new buffer and a copy (recorded in the same
 * encoder, so it reads the values of before this step), and the gradient can never alias a buffer
 * that is written. A buffer handed in from outside tfjs (`external`) is never taken over either.
 * The old id is marked as used by the queued commands, so if it is released now its buffer goes back
 * to tfjs's pool only after the submit (tfjs's own rule for inputs of queued kernels).
 */
function ownBufferOf(backend: WebgpuBackendInternals, variable: tf.Variable): GpuBuffer {
  const oldId = variable.dataId;
  backend.uploadToGPU(oldId);
  const old = backend.tensorMap.get(oldId)!;
  const buffer = gpuBuffer(backend, oldId);
  backend.commandQueueOwnedIds.add(oldId);
  const info = backend.makeTensorInfo([...variable.shape], 'float32');
  const fresh = backend.tensorMap.get(info.dataId)!;
  if (old.refCount === 1 && old.external !== true) {
    fresh.resource = buffer;
    old.resource = null;
  } else {
    backend.uploadToGPU(info.dataId);
    backend.ensureCommandEncoderReady();
    backend.endComputePassEncoder();
    backend.commandEncoder!.copyBufferToBuffer(
      buffer,
      0,
      gpuBuffer(backend, info.dataId),
      0,
      variable.size * 4,
    );
  }
  backend.commandQueueOwnedIds.add(info.dataId);
  const tensor = tf.engine().makeTensorFromTensorInfo(info);
  variable.assign(tensor);
  tensor.dispose();
  return gpuBuffer(backend, info.dataId);
}
