import { readFileSync } from 'node:fs';

/**
 * The page's only script and stylesheet, read once; served as files so the CSP can forbid inline
 * code. A Map, not an object literal: `ASSETS['constructor']` would find Object.prototype's and
 * answer with an error naming the install path.
 */
const ASSETS = new Map<string, { type: string; file: string }>([
  ['app.js', { type: 'text/javascript; charset=utf-8', file: 'app.js' }],
  ['style.css', { type: 'text/css; charset=utf-8', file: 'style.css' }],
]);

const cache = new Map<string, { type: string; body: Buffer }>();

export function staticAsset(name: string): { type: string; body: Buffer } | undefined {
  const entry = ASSETS.get(name);
  if (entry === undefined) return undefined;
  let asset = cache.get(name);
  if (asset === undefined) {
    asset = { type: entry.type, body: readFileSync(new URL(`./static/${entry.file}`, import.meta.url)) };
    cache.set(name, asset);
  }
  return asset;
}
