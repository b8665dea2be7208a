import * as tf from '@tensorflow/tfjs';
import {
  activeWebgpuInternals,
  type FusedUpdate,
  fusable,
  recordFusedStep,
} from './webgpu-optimizer-step.ts';

/*
 * tfjs's Adam and momentum optimizers with their step fused into one GPU dispatch per variable on the
 * webgpu backend. tfjs 4.22 runs ~10–15 kernels per variable per Adam step (and ~4 for momentum),
 * each with its own uniform buffer, plus a host scalar uploaded for every JS number it multiplies by.
 *
 * Subclasses, so that everything but the step is tfjs's own: slot variables with the same names
 * (`${name}/m`, `${name}/v`; `${name}/momentum`), created as tfjs creates them, in the same order,
 * hence the same getWeights()/setWeights() (satfarm's checkpoints move freely between these and
 * tfjs's plain optimizers) and dispose(). On any other backend, or for tensors the fused step does not
 * take (not float32), the step is tfjs's.
 */

/** What applyGradients takes (tfjs types Adam's map as variables, the others' as tensors). */
type VariableGradients =
  | Parameters<tf.Optimizer['applyGradients']>[0]
  | Parameters<tf.AdamOptimizer['applyGradients']>[0];
type AdamGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];
type MomentumGradients = Parameters<tf.MomentumOptimizer['applyGradients']>[0];

interface OptimizerVariable {
  originalName: string;
  variable: tf.Variable;
}

/** AdamOptimizer's private members, as tfjs-core 4.22 names them. */
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: OptimizerVariable[];
  accumulatedSecondMoment: OptimizerVariable[];
}

/** MomentumOptimizer's private members, as tfjs-core 4.22 names them. */
interface MomentumInternals {
  momentum: number;
  useNesterov: boolean;
  accumulations: OptimizerVariable[];
}

/**
 * The (variable, gradient) pairs of one step, making missing slots exactly as tfjs's optimizers do:
 * for every listed variable, by position, before looking at its gradient.
 */
function collect(
  variableGradients: VariableGradients,
  slotsOf: (name: string, index: number, value: tf.Variable) => tf.Variable[],
): FusedUpdate[] {
  const list = Array.isArray(variableGradients) ? variableGradients : undefined;
  const names = list ? list.map((v) => v.name) : Object.keys(variableGradients);
  const updates: FusedUpdate[] = [];
  names.forEach((name, i) => {
    const value = tf.engine().registeredVariables[name]!;
    const slots = slotsOf(name, i, value);
    const gradient = list ? list[i]!.tensor : (variableGradients as tf.NamedTensorMap)[name];
    if (gradient != null) updates.push({ value, slots, gradient });
  });
  return updates;
}

function zeroSlot(originalName: string, value: tf.Variable): OptimizerVariable {
  return { originalName, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
}

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  /**
   * Fused steps take β₁ᵗ and β₂ᵗ from the iteration count (float64 on the host) and leave tfjs's
   * running `accBeta1`/`accBeta2` scalars alone; they are brought up to date before a tfjs step.
   */
  private betaPowersBehind = false;

  override applyGradients(variableGradients: AdamGradients): void {
    const backend = activeWebgpuInternals();
    const self = this as unknown as AdamInternals;
    const updates =
      backend &&
      collect(variableGradients, (name, i, value) => {
        self.accumulatedFirstMoment[i] ??= zeroSlot(`${name}/m`, value);
        self.accumulatedSecondMoment[i] ??= zeroSlot(`${name}/v`, value);
        return [self.accumulatedFirstMoment[i].variable, self.accumulatedSecondMoment[i].variable];
      });
    if (backend == null || updates == null || !fusable(updates, 2)) {
      this.catchUpBetaPowers();
      super.applyGradients(variableGradients);
      return;
    }
    const t = this.iterations + 1;
    recordFusedStep(
      backend,
      'adam',
      {
        learningRate: this.learningRate,
        beta1: this.beta1,
        beta2: this.beta2,
        epsilon: this.epsilon,
        oneMinusBeta1Power: 1 - this.beta1 ** t,
        oneMinusBeta2Power: 1 - this.beta2 ** t,
      },
      updates,
    );
    this.betaPowersBehind = true;
    this.incrementIterations();
  }

  override async setWeights(weightValues: Parameters<tf.Optimizer['setWeights']>[0]): Promise<void> {
    await super.setWeights(weightValues);
    // tfjs's setWeights sets them from the restored iteration count.
    this.betaPowersBehind = false;
  }

  private catchUpBetaPowers(): void {
    if (!this.betaPowersBehind) return;
    const self = this as unknown as AdamInternals;
    const next = this.iterations + 1;
    tf.tidy(() => {
      self.accBeta1.assign(tf.scalar(this.beta1 ** next));
      self.accBeta2.assign(tf.scalar(this.beta2 ** next));
    });
    this.betaPowersBehind = false;
  }
}

export class FusedMomentumOptimizer extends tf.MomentumOptimizer {
  override applyGradients(variableGradients: MomentumGradients): void {
    const backend = activeWebgpuInternals();
    const self = this as unknown as MomentumInternals;
    const updates =
      backend &&
      collect(variableGradients, (name, i, value) => {
        self.accumulations[i] ??= zeroSlot(`${name}/momentum`, value);
        return [self.accumulations[i].variable];
      });
    if (backend == null || updates == null || !fusable(updates, 1)) {
      super.applyGradients(variableGradients);
      return;
    }
    recordFusedStep(
      backend,
      'momentum',
      { learningRate: this.learningRate, momentum: self.momentum, useNesterov: self.useNesterov },
      updates,
    );
    this.incrementIterations();
  }
}
