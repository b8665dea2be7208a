import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { relativeError, seeded } from './backend-comparison.ts';
import { makeOptimizer, type OptimizerFlavour, type OptimizerKind } from './compared-optimizers.ts';
import { MAX_WORKGROUPS, WORKGROUP_SIZE } from './webgpu-optimizer-step.ts';
import { webgpuUnavailable } from './webgpu-probe.ts';

/**
 * The fused optimizer steps against tfjs's own Adam and momentum, on webgpu and on cpu. Runs wherever
 * Dawn finds an adapter (Mesa's llvmpipe in CI, see infra/scripts/ensure-services.sh); skipped, with
 * the reason, elsewhere.
 */
const unavailable = await webgpuUnavailable('fused optimizer tests');

/** A scalar, a conv filter, an odd bias, and more elements than one dispatch has threads. */
const SHAPES: number[][] = [[], [3, 3, 4, 8], [37], [300_000]];
const STEPS = 20;
const TOLERANCE = 1e-5;

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function makeVariables(): tf.Variable[] {
  return SHAPES.map((shape, i) =>
    tf.variable(tf.tensor(seeded(i + 1, sizeOf(shape)), shape), true, `fused${i}`),
  );
}

/**
 * Step-dependent gradients on the device (made by a kernel, so the step itself uploads nothing), of
 * very different scales per variable, with a few exact zeros.
 */
function gradients(step: number): tf.Tensor[] {
  return SHAPES.map((shape, i) => {
    const values = seeded(1000 * step + i, sizeOf(shape));
    for (let j = 0; j < values.length; j += 7) values[j] = 0;
    return tf.tidy(() => tf.mul(tf.tensor(values, shape), 10 ** (1 - i)));
  });
}

function step(optimizer: tf.Optimizer, variables: tf.Variable[], grads: tf.Tensor[]): void {
  optimizer.applyGradients(variables.map((v, i) => ({ name: v.name, tensor: grads[i]! })));
}

interface State {
  weights: Float32Array[];
  /** getWeights() without `iter`: names and values. */
  slots: { name: string; values: Float32Array }[];
  iterations: number;
}

async function readState(variables: tf.Variable[], optimizer: tf.Optimizer): Promise<State> {
  const weights = await Promise.all(variables.map(async (v) => (await v.data()) as Float32Array));
  const named = await optimizer.getWeights();
  const [iter, ...slots] = named;
  const iterations = (await iter!.tensor.data())[0]!;
  iter!.tensor.dispose();
  return {
    weights,
    slots: await Promise.all(
      slots.map(async (s) => ({ name: s.name, values: (await s.tensor.data()) as Float32Array })),
    ),
    iterations,
  };
}

/** Trains the SHAPES variables for `steps` steps on the active backend and returns everything learned. */
async function train(kind: OptimizerKind, flavour: OptimizerFlavour, steps = STEPS): Promise<State> {
  const variables = makeVariables();
  const optimizer = makeOptimizer(kind, flavour);
  try {
    for (let s = 0; s < steps; s++) {
      const grads = gradients(s);
      step(optimizer, variables, grads);
      tf.dispose(grads);
    }
    return await readState(variables, optimizer);
  } finally {
    optimizer.dispose();
    tf.dispose(variables);
  }
}

function expectClose(actual: State, expected: State): void {
  expect(actual.iterations).toBe(expected.iterations);
  expect(actual.slots.map((s) => s.name)).toEqual(expected.slots.map((s) => s.name));
  for (const [i, w] of actual.weights.entries()) {
    expect(relativeError(w, expected.weights[i]!), `weight ${i}`).toBeLessThanOrEqual(TOLERANCE);
  }
  for (const [i, s] of actual.slots.entries()) {
    expect(relativeError(s.values, expected.slots[i]!.values), s.name).toBeLessThanOrEqual(TOLERANCE);
  }
}

interface Traffic {
  dispatches: number;
  /** Tensor data sent to the device: buffers mapped at creation, writeBuffer into non-uniform buffers. */
  uploads: number;
  uniformWrites: number;
}

// WebGPU's numeric flags (the GPU* globals are Dawn's, installed when the backend started).
const MAP_READ = 0x0001;
const UNIFORM = 0x0040;

type Proto = Record<string, (...args: never[]) => unknown>;

/** Counts what `fn` asks of the GPU by wrapping Dawn's prototypes; puts them back afterwards. */
function countTraffic(fn: () => void): Traffic {
  const globals = globalThis as unknown as Record<string, { prototype: Proto } | undefined>;
  const traffic: Traffic = { dispatches: 0, uploads: 0, uniformWrites: 0 };
  const undo: (() => void)[] = [];
  const wrap = (cls: string, name: string, before: (...args: never[]) => void) => {
    const proto = globals[cls]?.prototype;
    if (proto == null) throw new Error(`${cls} is missing: is the webgpu backend (Dawn) active?`);
    const original = proto[name]!;
    const own = Object.hasOwn(proto, name);
    proto[name] = function (this: unknown, ...args: never[]) {
      before(...args);
      return original.apply(this, args);
    };
    undo.push(() => {
      if (own) proto[name] = original;
      else delete proto[name];
    });
  };
  try {
    wrap('GPUComputePassEncoder', 'dispatchWorkgroups', () => {
      traffic.dispatches += 1;
    });
    wrap('GPUDevice', 'createBuffer', (d: { usage: number; mappedAtCreation?: boolean }) => {
      if (d.mappedAtCreation === true && (d.usage & MAP_READ) === 0) traffic.uploads += 1;
    });
    wrap('GPUQueue', 'writeBuffer', (buffer: { usage: number }) => {
      if ((buffer.usage & UNIFORM) !== 0) traffic.uniformWrites += 1;
      else traffic.uploads += 1;
    });
    fn();
  } finally {
    for (const u of undo.reverse()) u();
  }
  return traffic;
}

describe.skipIf(unavailable !== undefined)('fused optimizer step on webgpu', () => {
  const reference = new Map<string, State>();

  beforeAll(async () => {
    expect(SHAPES.some((s) => sizeOf(s) > WORKGROUP_SIZE * MAX_WORKGROUPS)).toBe(true);
    await tf.setBackend('cpu');
    for (const kind of ['adam', 'momentum'] as const) reference.set(`${kind} cpu`, await train(kind, 'tfjs'));
    await tf.setBackend('webgpu');
    for (const kind of ['adam', 'momentum'] as const)
      reference.set(`${kind} webgpu`, await train(kind, 'tfjs'));
  }, 120_000);

  afterEach(async () => {
    await tf.setBackend('webgpu');
  });

  it.each(['adam', 'momentum'] as const)(
    '%s: same weights and slots as tfjs on webgpu and on cpu',
    async (kind) => {
      const fused = await train(kind, 'fused');
      expect(fused.iterations).toBe(STEPS);
      expectClose(fused, reference.get(`${kind} webgpu`)!);
      expectClose(fused, reference.get(`${kind} cpu`)!);
    },
  );

  it.each(['adam', 'momentum'] as const)('%s: a step timed by tf.time is timed and right', async (kind) => {
    // Under tf.time the backend records each kernel in a pass of its own, with timestamps where the
    // adapter has them; the fused step does the same.
    const variables = makeVariables();
    const optimizer = makeOptimizer(kind, 'fused');
    try {
      for (let s = 0; s < STEPS; s++) {
        const grads = gradients(s);
        if (s === 3) {
          const timing = await tf.time(() => step(optimizer, variables, grads));
          expect(Number.isFinite(timing.kernelMs as number)).toBe(true);
        } else {
          step(optimizer, variables, grads);
        }
        tf.dispose(grads);
      }
      expectClose(await readState(variables, optimizer), reference.get(`${kind} webgpu`)!);
    } finally {
      optimizer.dispose();
      tf.dispose(variables);
    }
  });

  it.each(['adam', 'momentum'] as const)('%s: falls back to tfjs on another backend', async (kind) => {
    await tf.setBackend('cpu');
    expectClose(await train(kind, 'fused'), reference.get(`${kind} cpu`)!);
  });

  it.each(['adam', 'momentum'] as const)('%s: a step left to tfjs in between stays in line', async (kind) => {
    // An int32 gradient is not fused: that step is tfjs's, with the bias correction of step 6 (tfjs's
    // running β powers, which the fused steps before it do not advance, are brought up to date).
    const run = async (flavour: OptimizerFlavour) => {
      const variables = makeVariables();
      const optimizer = makeOptimizer(kind, flavour);
      try {
        for (let s = 0; s < 10; s++) {
          const grads =
            s === 5
              ? SHAPES.map((shape, i) =>
                  tf.tensor(
                    Int32Array.from(seeded(s + i, sizeOf(shape)), (x) => Math.round(4 * x)),
                    shape,
                    'int32',
                  ),
                )
              : gradients(s);
          step(optimizer, variables, grads);
          tf.dispose(grads);
        }
        return await readState(variables, optimizer);
      } finally {
        optimizer.dispose();
        tf.dispose(variables);
      }
    };
    expectClose(await run('fused'), await run('tfjs'));
  });

  it.each(['adam', 'momentum'] as const)(
    '%s: one dispatch per variable and no tensor data uploaded per step',
    async (kind) => {
      for (const name of ['GPUComputePassEncoder', 'GPUDevice', 'GPUQueue']) {
        expect(typeof (globalThis as Record<string, unknown>)[name]).toBe('function');
      }
      const variables = makeVariables();
      const fused = makeOptimizer(kind, 'fused');
      const plain = makeOptimizer(kind, 'tfjs');
      try {
        // First steps make the slots and the pipelines; then one step is counted.
        for (const optimizer of [fused, plain]) {
          for (let s = 0; s < 2; s++) {
            const grads = gradients(s);
            step(optimizer, variables, grads);
            tf.dispose(grads);
          }
        }
        // Gradients as training makes them: kernels' outputs, already on the device. (Small tensors made
        // from host values stay on the host until a kernel needs them: their upload is not the step's.)
        const target = variables.map((v) => tf.tidy(() => tf.mul(tf.onesLike(v), 0.5)));
        const loss = () =>
          tf.addN(variables.map((v, i) => tf.sum(tf.square(tf.sub(v, target[i]!))))) as tf.Scalar;
        const { value, grads } = tf.variableGrads(loss, variables);
        const ours = countTraffic(() => fused.applyGradients(grads));
        const theirs = countTraffic(() => plain.applyGradients(grads));
        tf.dispose([value, ...Object.values(grads), ...target]);
        expect(ours).toEqual({ dispatches: SHAPES.length, uploads: 0, uniformWrites: 1 });
        // What the fused step replaces: tfjs 4.22's Adam runs ~12 kernels per variable and uploads the
        // JS numbers it multiplies by; its momentum runs 4 (its two scalars are kept on the device).
        expect(theirs.dispatches).toBeGreaterThanOrEqual((kind === 'adam' ? 10 : 4) * SHAPES.length);
        if (kind === 'adam') expect(theirs.uploads).toBeGreaterThan(0);
      } finally {
        fused.dispose();
        plain.dispose();
        tf.dispose(variables);
      }
    },
  );

  it.each(['adam', 'momentum'] as const)(
    '%s: tensors, data buffers and GPU bytes stay level over repeated steps',
    async (kind) => {
      const variables = makeVariables();
      const optimizer = makeOptimizer(kind, 'fused');
      const target = variables.map((v, i) => tf.tidy(() => tf.mul(tf.onesLike(v), i)));
      // minimize: gradients made by the tape, handed over as a map, disposed by tfjs afterwards.
      const loss = () =>
        tf.addN(variables.map((v, i) => tf.sum(tf.square(tf.sub(tf.sin(v), target[i]!))))) as tf.Scalar;
      const settle = async () => {
        optimizer.minimize(loss);
        // A read submits the queue, so buffers whose release waits for a submit are released.
        await variables[0]!.data();
      };
      try {
        await settle();
        await settle();
        const before = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number };
        for (let s = 0; s < 5; s++) await settle();
        const after = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number };
        expect(after.numTensors).toBe(before.numTensors);
        expect(after.numDataBuffers).toBe(before.numDataBuffers);
        expect(after.numBytesInGPU).toBe(before.numBytesInGPU);
      } finally {
        optimizer.dispose();
        tf.dispose([...variables, ...target]);
      }
    },
  );

  it('leaves alone tensors that share a variable’s data, and never returns stale reads', async () => {
    const initial = tf.tensor(seeded(3, 100), [10, 10]);
    const fusedVar = tf.variable(initial, true, 'shared-fused'); // shares initial's data id
    const plainVar = tf.variable(tf.tensor(seeded(3, 100), [10, 10]), true, 'shared-plain');
    const fused = makeOptimizer('adam', 'fused');
    const plain = makeOptimizer('adam', 'tfjs');
    try {
      for (let s = 0; s < 4; s++) {
        const g = tf.tidy(() => tf.mul(tf.tensor(seeded(50 + s, 100), [10, 10]), 1));
        fused.applyGradients([{ name: fusedVar.name, tensor: g }]);
        plain.applyGradients([{ name: plainVar.name, tensor: g }]);
        g.dispose();
        // data() caches the values with the data id: the next step must not leave them behind.
        expect(relativeError(await fusedVar.data(), await plainVar.data())).toBeLessThanOrEqual(TOLERANCE);
      }
      expect(await initial.data()).toEqual(seeded(3, 100));
    } finally {
      fused.dispose();
      plain.dispose();
      tf.dispose([initial, fusedVar, plainVar]);
    }
  });

  it.each(['adam', 'momentum'] as const)('%s: getWeights/setWeights round trip', async (kind) => {
    const variables = makeVariables();
    const copies = variables.map((v, i) => tf.variable(v, true, `fused-copy${i}`));
    const a = makeOptimizer(kind, 'fused');
    const b = makeOptimizer(kind, 'fused');
    try {
      for (let s = 0; s < 5; s++) {
        const grads = gradients(s);
        step(a, variables, grads);
        tf.dispose(grads);
      }
      for (const [i, c] of copies.entries()) c.assign(variables[i]!);
      // As restoreCheckpoint hands them over: fresh tensors, freed after setWeights.
      const saved = await a.getWeights();
      const restored = await Promise.all(
        saved.map(async (s) => ({
          name: s.name,
          tensor: tf.tensor(await s.tensor.data(), s.tensor.shape, s.tensor.dtype),
        })),
      );
      saved[0]!.tensor.dispose();
      await b.setWeights(restored);
      tf.dispose(restored.map((r) => r.tensor));
      for (let s = 5; s < 10; s++) {
        const grads = gradients(s);
        step(a, variables, grads);
        step(b, copies, grads);
        tf.dispose(grads);
      }
      const left = await readState(variables, a);
      const right = await readState(copies, b);
      // The slots keep the original variables' names in b: they are what was restored.
      expect(right.slots.map((s) => s.name)).toEqual(left.slots.map((s) => s.name));
      expect(right.iterations).toBe(10);
      // Same kernels, same order, same inputs: identical. (Compared as numbers: vitest's diff of two
      // 300k-element arrays that differ takes many minutes.)
      for (const [i, w] of right.weights.entries())
        expect(relativeError(w, left.weights[i]!), `weight ${i}`).toBe(0);
      for (const [i, s] of right.slots.entries())
        expect(relativeError(s.values, left.slots[i]!.values), s.name).toBe(0);
    } finally {
      a.dispose();
      b.dispose();
      tf.dispose([...variables, ...copies]);
    }
  });
});
