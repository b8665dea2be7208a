import { describe, expect, it } from 'vitest';
import { BadRequestError } from './errors.ts';
import { DEFAULT_PAGE_SIZE, epochParam, pageParam, pageQuery } from './query-params.ts';

const q = (s: string) => new URLSearchParams(s);

describe('epochParam', () => {
  it('reads a whole number, or nothing', () => {
    expect(epochParam(q(''))).toBeUndefined();
    expect(epochParam(q('epoch='))).toBeUndefined();
    expect(epochParam(q('epoch=3'))).toBe(3);
    expect(epochParam(q('epoch=9999999'))).toBe(9_999_999);
  });

  it('answers anything else with a 400 naming the value and the range', () => {
    for (const raw of ['0', '-1', '1.5', '1e3', '0x10', ' 1', 'abc', '2147483648', '99999999999999999999']) {
      expect(() => epochParam(q(`epoch=${encodeURIComponent(raw)}`)), raw).toThrow(
        new BadRequestError(
          `epoch: got ${JSON.stringify(raw)}; expected a whole number from 1 to 2147483647`,
        ),
      );
    }
  });
});

describe('pageParam', () => {
  it('defaults to the first page of DEFAULT_PAGE_SIZE', () => {
    expect(pageParam(q(''), 10_000)).toEqual({
      number: 1,
      limit: DEFAULT_PAGE_SIZE,
      offset: 0,
      total: 10_000,
      pages: 100,
    });
    expect(pageParam(q(''), 0)).toMatchObject({ number: 1, pages: 1 });
  });

  it('pages by ?page and ?limit', () => {
    expect(pageParam(q('page=3&limit=250'), 1000)).toEqual({
      number: 3,
      limit: 250,
      offset: 500,
      total: 1000,
      pages: 4,
    });
    expect(pageParam(q('page=11'), 1001)).toMatchObject({ number: 11, offset: 1000, pages: 11 });
  });

  it('answers a page or limit out of range with a 400 naming parameter, value and range', () => {
    expect(() => pageParam(q('page=101'), 10_000)).toThrow(
      'page: got "101"; expected a whole number from 1 to 100 (10000 trials at 100 per page)',
    );
    expect(() => pageParam(q('page=2'), 4)).toThrow('page: got "2"; expected 1 (4 trials at 100 per page)');
    expect(() => pageParam(q('page=0'), 10)).toThrow('page: got "0"');
    expect(() => pageParam(q('page=x'), 10)).toThrow('page: got "x"');
    expect(() => pageParam(q('limit=0'), 10)).toThrow(
      'limit: got "0"; expected a whole number from 1 to 1000',
    );
    expect(() => pageParam(q('limit=1001'), 10)).toThrow('limit: got "1001"');
    expect(() => pageParam(q('limit=-5'), 10)).toThrow(BadRequestError);
  });

  it('links other pages keeping a chosen limit', () => {
    expect(pageQuery(pageParam(q(''), 500), 2)).toBe('?page=2');
    expect(pageQuery(pageParam(q('limit=50'), 500), 2)).toBe('?page=2&limit=50');
  });
});
