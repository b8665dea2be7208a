/**
 * The one entry point that ../shared/device/pack.sh bundles for the GPU machine (it has no Node.js
 * and no registry, so everything travels as one esbuild bundle):
 *   node .device/app.mjs bench [bench:training flags]     e.g. --backends webgpu,wasm --batch 256 --json
 *   node .device/app.mjs gpu-check [--backend B] [--quick]  bench CNN + vgg11: speed, traffic, top kernels
 *   node .device/app.mjs satfarm [satfarm arguments]      e.g. train --backend webgpu …
 * See bench/device/README.md.
 */
const [verb, ...rest] = process.argv.slice(2);
// Both targets read their arguments from process.argv when they load.
process.argv = [process.argv[0]!, process.argv[1]!, ...rest];
if (verb === 'bench') await import('../training/main.ts');
else if (verb === 'gpu-check') await import('./gpu-check.ts');
else if (verb === 'satfarm') await import('../../apps/cli/src/main.ts');
else {
  process.stderr.write(`device entry: got '${verb ?? ''}'; expected 'bench', 'gpu-check' or 'satfarm'\n`);
  process.exit(2);
}

// A module, for top-level await.
export {};
