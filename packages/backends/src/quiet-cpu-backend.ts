import * as tf from '@tensorflow/tfjs';

/**
 * tfjs's cpu backend prints a "Hi, looks like you are running TensorFlow.js in Node.js … install
 * our node backend" banner on its first tensor write under Node. A package must not print, so mark
 * that first write as done. (Creating the cpu backend for this is cheap, and the engine keeps one
 * anyway to move data between backends.)
 */
export function quietCpuBackend(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu != null && 'firstUse' in cpu) cpu.firstUse = false;
}
