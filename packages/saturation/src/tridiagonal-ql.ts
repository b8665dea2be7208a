import { InvalidArgumentError } from './errors.ts';

/*
 * Symmetric tridiagonal QL eigen-solver on flat Float64Arrays: Householder tridiagonalisation (tred2)
 * and implicit QL (tql2) from JAMA (public domain), following ml-matrix 6.15's port, which stores the
 * eigenvector matrix transposed (`v[col·n + row]`) so the hot loops walk memory contiguously.
 * Internal to this package; eigen.ts is the public face.
 */

/** sqrt(a² + b²) without overflow or destructive underflow. */
function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const r = y / x;
    return x * Math.sqrt(1 + r * r);
  }
  if (y === 0) return 0;
  const r = x / y;
  return y * Math.sqrt(1 + r * r);
}

/**
 * Householder reduction of the symmetric matrix in `v` (n×n) to tridiagonal form: diagonal in `d`,
 * sub-diagonal in `e[1..n-1]`. With `accumulate`, `v` ends as the orthogonal transform (transposed);
 * without, only `d`/`e` are meaningful: half the work, for when only eigenvalues are wanted.
 */
export function tred2(
  n: number,
  e: Float64Array,
  d: Float64Array,
  v: Float64Array,
  accumulate: boolean,
): void {
  for (let j = 0; j < n; j++) d[j] = v[j * n + n - 1]!;

  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);

    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = v[j * n + i - 1]!;
        v[j * n + i] = 0;
        v[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = d[k]! / scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;

      for (let j = 0; j < i; j++) {
        f = d[j]!;
        v[i * n + j] = f;
        const row = j * n;
        g = e[j]! + v[row + j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          const vjk = v[row + k]!;
          g += vjk * d[k]!;
          e[k] = e[k]! + vjk * f;
        }
        e[j] = g;
      }

      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = e[j]! / h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;

      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        const row = j * n;
        for (let k = j; k <= i - 1; k++) v[row + k] = v[row + k]! - (f * e[k]! + g * d[k]!);
        d[j] = v[row + i - 1]!;
        v[row + i] = 0;
      }
    }
    d[i] = h;
  }

  if (!accumulate) {
    // Without accumulation the reduced diagonal is still in place on v's diagonal.
    for (let j = 0; j < n; j++) d[j] = v[j * n + j]!;
    e[0] = 0;
    return;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    v[i * n + n - 1] = v[i * n + i]!;
    v[i * n + i] = 1;
    const h = d[i + 1]!;
    const next = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[next + k]! / h;
      for (let j = 0; j <= i; j++) {
        const row = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[next + k]! * v[row + k]!;
        for (let k = 0; k <= i; k++) v[row + k] = v[row + k]! - g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) v[next + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[j * n + n - 1]!;
    v[j * n + n - 1] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** QL iterations per eigenvalue before giving up; JAMA has no cap, convergence takes 1–3 typically. */
const MAX_QL_ITERATIONS = 100;

/**
 * Implicit QL on the tridiagonal (d, e) from {@link tred2}: eigenvalues end in `d` (unsorted).
 * Rotations are applied to the rows of `v` (the transposed transform) unless `v` is null.
 */
export function tql2(n: number, e: Float64Array, d: Float64Array, v: Float64Array | null): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;

  let f = 0;
  let tst1 = 0;
  const eps = Number.EPSILON;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]!) <= eps * tst1) break;
      m++;
    }

    if (m > l) {
      let iter = 0;
      do {
        iter++;
        if (iter > MAX_QL_ITERATIONS) {
          throw new InvalidArgumentError(
            'matrix',
            `eigenvalue ${l} of ${n}`,
            'a matrix the QL iteration converges on',
          );
        }
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;

        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);

          if (v === null) continue;
          const rowI = i * n;
          const rowNext = rowI + n;
          for (let k = 0; k < n; k++) {
            const hk = v[rowNext + k]!;
            const vik = v[rowI + k]!;
            v[rowNext + k] = s * vik + c * hk;
            v[rowI + k] = c * vik - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}
