import { BadRequestError } from './errors.ts';

/** The largest value of a PostgreSQL `integer` column (epochs are stored as one). */
export const MAX_EPOCH = 2_147_483_647;
/** Trials per page unless `?limit=` says otherwise: enough to scan, small enough to render fast. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** `?epoch=E`: undefined when absent (the last stored epoch is shown); 400 unless a whole number in range. */
export function epochParam(query: URLSearchParams): number | undefined {
  return wholeNumberParam(query, 'epoch', 1, MAX_EPOCH);
}

/** One page of a list: which rows (`offset`, `limit`) out of `total`. Page numbers start at 1. */
export interface Page {
  number: number;
  limit: number;
  offset: number;
  total: number;
  /** At least 1: an empty list has one empty page. */
  pages: number;
}

/**
 * `?page=N&limit=L` over `total` rows (defaults: page 1, DEFAULT_PAGE_SIZE). A page past the end is a
 * 400 naming the pages there are, rather than an empty page that looks like a sweep without trials.
 */
export function pageParam(query: URLSearchParams, total: number, what = 'trials'): Page {
  const limit = wholeNumberParam(query, 'limit', 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE;
  const pages = Math.max(1, Math.ceil(total / limit));
  const number = wholeNumberParam(query, 'page', 1, pages, `${total} ${what} at ${limit} per page`) ?? 1;
  return { number, limit, offset: (number - 1) * limit, total, pages };
}

/** The query string of another page of the same list (`limit` kept only when it is not the default). */
export function pageQuery(page: Page, number: number): string {
  return page.limit === DEFAULT_PAGE_SIZE ? `?page=${number}` : `?page=${number}&limit=${page.limit}`;
}

/**
 * A whole-number query parameter in [min, max], or undefined when absent or empty. Anything else is
 * a 400 whose message names the parameter, the value as given and the valid range.
 */
function wholeNumberParam(
  query: URLSearchParams,
  name: string,
  min: number,
  max: number,
  why?: string,
): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  // Digits only: Number() would also take ' 1', '1e3', '0x10' and '1.0'.
  const value = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) {
    const range = min === max ? `${min}` : `a whole number from ${min} to ${max}`;
    throw new BadRequestError(
      `${name}: got ${JSON.stringify(raw)}; expected ${range}${why === undefined ? '' : ` (${why})`}`,
    );
  }
  return value;
}
