import { describe, expect, it } from 'vitest';
import { canonicalJson, NotCanonicalError, stableHash } from './canonical.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined properties', () => {
    const a = { b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, '10': true, '2': false };
    expect(canonicalJson(a)).toBe('{"10":true,"2":false,"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: { d: [3, { y: 2, z: 1 }] }, b: 1, '2': false, '10': true })).toBe(
      canonicalJson(a),
    );
  });

  it('keeps array order and writes undefined array items as null, like JSON', () => {
    expect(canonicalJson([2, 1, undefined])).toBe('[2,1,null]');
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
  });

  it('refuses values without one JSON spelling, naming where they are', () => {
    expect(() => canonicalJson({ a: { b: Number.NaN } })).toThrow(NotCanonicalError);
    expect(() => canonicalJson({ a: { b: Number.NaN } })).toThrow(/a\.b: non-finite number NaN/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/f: unsupported function/);
    expect(() => canonicalJson({ m: new Map() })).toThrow(/m: unsupported object/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow(/circular/);
  });
});

describe('stableHash', () => {
  it('is 32 hex characters and ignores key order', () => {
    const h = stableHash({ x: 1, y: [1, 2] });
    expect(h).toMatch(/^[0-9a-f]{32}$/);
    expect(stableHash({ y: [1, 2], x: 1 })).toBe(h);
    expect(stableHash({ x: 1, y: [2, 1] })).not.toBe(h);
  });

  it('is stable across releases (ids in existing databases depend on it)', () => {
    expect(stableHash({ b: 2, a: 'x' })).toBe('768ca668c0f84dd39bf269e25c9a3f0a');
  });
});
