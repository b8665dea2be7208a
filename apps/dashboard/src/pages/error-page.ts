import { html } from '../html.ts';
import { page } from './layout.ts';

/**
 * Any failure as a page. When the database is away, the page says so and reloads itself once
 * `/healthz` reports it back (app.js), so a restart of PostgreSQL needs no action from the reader.
 */
export function errorPage(status: number, heading: string, message: string, databaseDown: boolean): string {
  const body = html`<section class="error-page" data-status="${status}">
<h1>${heading}</h1>
<p class="message">${message}</p>
${databaseDown ? html`<p class="hint">This page reloads by itself when the database answers again.</p>` : html`<p><a href="/">back to the sweeps</a></p>`}
</section>`;
  return page({ title: heading, body, live: databaseDown ? 'recover' : undefined });
}
