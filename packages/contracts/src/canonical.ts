import { createHash } from 'node:crypto';

/** Thrown for values that have no single JSON spelling (NaN, functions, bigint, cycles…). */
export class NotCanonicalError extends Error {
  override name = 'NotCanonicalError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(
      `${path || '(root)'}: ${problem}; canonical JSON takes plain objects, arrays, strings, finite numbers, booleans and null`,
    );
  }
}

/**
 * JSON with object keys sorted (by UTF-16 code unit) and `undefined` properties left out, so that two
 * objects that mean the same thing serialise to the same bytes whatever order their keys were written in.
 * Ids are hashes of this text, so its rules must never change: that would re-key every stored sweep.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '', new Set());
}

/** sha256 of the canonical JSON, first 32 hex characters (128 bits: collisions are not a concern). */
export function stableHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 32);
}

// Written by hand rather than JSON.stringify(sortedCopy): JS objects list integer-like keys ("2", "10")
// first whatever the insertion order, which would break the plain sorted-keys rule.
function write(value: unknown, path: string, stack: Set<object>): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NotCanonicalError(path, `non-finite number ${value}`);
    return JSON.stringify(Object.is(value, -0) ? 0 : value);
  }
  if (typeof value !== 'object') throw new NotCanonicalError(path, `unsupported ${typeof value}`);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (stack.has(value)) throw new NotCanonicalError(path, 'circular reference');
  stack.add(value);
  try {
    if (Array.isArray(value)) {
      // Arrays keep their order (order is meaning: it fixes the trial expansion order); holes and
      // undefined become null exactly as JSON.stringify would.
      const items: string[] = [];
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        items.push(item === undefined ? 'null' : write(item, `${path}[${i}]`, stack));
      }
      return `[${items.join(',')}]`;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new NotCanonicalError(path, 'unsupported object (not a plain object or array)');
    }
    const record = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const item = record[key];
      if (item === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${write(item, path ? `${path}.${key}` : key, stack)}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    stack.delete(value);
  }
}
