import * as tf from '@tensorflow/tfjs';
import type { DataType, KernelBackend, TensorInfo } from '@tensorflow/tfjs';

/**
 * Scalars stay on the device while a training runs. tfjs turns every JS number an op meets
 * (`mul(x, 0.9)`, an optimizer's `1 - beta1`, a gradient's `scalar(-0.5)`, batch norm's `1 - momentum`)
 * into a new host tensor; on a GPU each one is a buffer created and uploaded, dozens per step. While
 * `holdDeviceConstants()` is held, a scalar made from host values becomes a new tensor that shares the
 * data of one cached scalar of the same value — the way `reshape` shares data — so each value crosses
 * to the device once per training. Callers still get (and dispose) a tensor of their own.
 */

/** Enough for every constant a training uses; values beyond it (if any change per step) are made as usual. */
const MAX_CONSTANTS = 4096;

interface Engine {
  makeTensor(
    values: ArrayLike<unknown>,
    shape: number[],
    dtype?: DataType,
    backend?: KernelBackend,
  ): tf.Tensor;
  makeTensorFromTensorInfo(info: TensorInfo, backend?: KernelBackend): tf.Tensor;
  backend: KernelBackend;
}

let holders = 0;
let cache: Map<string, tf.Tensor> | undefined;
let original: Engine['makeTensor'] | undefined;

/**
 * Starts keeping host scalars on the device (nested holds share one cache); the returned function
 * releases this hold, and the last release frees the cached scalars and restores tfjs's own behaviour.
 */
export function holdDeviceConstants(): () => void {
  holders += 1;
  if (holders === 1) install();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holders -= 1;
    if (holders === 0) uninstall();
  };
}

/** Cached scalars right now (tests). */
export function deviceConstantCount(): number {
  return cache?.size ?? 0;
}

function install(): void {
  const engine = tf.engine() as unknown as Engine;
  const make = engine.makeTensor;
  original = make;
  cache = new Map();
  const constants = cache;
  engine.makeTensor = function (this: Engine, values, shape, dtype, backend) {
    const type = dtype ?? 'float32';
    const owner = this.backend;
    const scalar = shape.length === 0 && values.length === 1 && (type === 'float32' || type === 'int32');
    if (!scalar || (backend !== undefined && backend !== owner)) {
      return make.call(this, values, shape, dtype, backend);
    }
    const value = Number(values[0]);
    const key = `${tf.getBackend()}|${type}|${Object.is(value, -0) ? '-0' : String(value)}`;
    let master = constants.get(key);
    if (master === undefined) {
      if (constants.size >= MAX_CONSTANTS) return make.call(this, values, shape, dtype, backend);
      // Kept: a tidy() around the op that first asked for this value must not free the shared copy.
      master = tf.keep(make.call(this, values, shape, dtype, backend));
      constants.set(key, master);
    }
    owner.incRef(master.dataId);
    return this.makeTensorFromTensorInfo({ dataId: master.dataId, shape: [], dtype: type }, owner);
  };
}

function uninstall(): void {
  const engine = tf.engine() as unknown as Engine & Record<string, unknown>;
  // Whatever was there before (tfjs's method, or a wrapper installed before ours) comes back.
  if (original) engine.makeTensor = original;
  original = undefined;
  if (cache) tf.dispose([...cache.values()]);
  cache = undefined;
}
