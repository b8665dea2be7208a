import { html, type SafeHtml } from '../html.ts';
import { type Page, pageQuery } from '../query-params.ts';

const count = (n: number) => n.toLocaleString('en-US');

/**
 * "trials 101–200 of 10,000" and, when there is more than one page, links to the first, previous,
 * next and last page (`path` + `?page=N`, keeping a non-default `limit`).
 */
export function pager(page: Page, path: string, what: string): SafeHtml {
  const last = Math.min(page.total, page.offset + page.limit);
  const shown = html`<span class="page-range">${what} ${count(page.offset + 1)}–${count(last)} of ${count(page.total)}</span>`;
  if (page.pages === 1) return html`<p class="pager">${shown}</p>`;
  const link = (n: number, rel: string, label: string) =>
    n >= 1 && n <= page.pages && n !== page.number
      ? html`<a rel="${rel}" href="${path}${pageQuery(page, n)}">${label}</a>`
      : html`<span class="disabled">${label}</span>`;
  return html`<nav class="pager" aria-label="${what} pages">${shown}
  ${link(1, 'first', '« first')} ${link(page.number - 1, 'prev', '‹ previous')}
  <span class="page-of">page ${count(page.number)} of ${count(page.pages)}</span>
  ${link(page.number + 1, 'next', 'next ›')} ${link(page.pages, 'last', 'last »')}</nav>`;
}
