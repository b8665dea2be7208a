import { html, type SafeHtml } from '../html.ts';

export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** Breadcrumbs after "sweeps": label and link (the last one is the current page, unlinked). */
  crumbs?: readonly { label: string; href?: string }[];
  /**
   * What app.js keeps fresh: `list` (always), `watch` (while something runs), `recover` (an error
   * page that reloads once the database answers again), or none.
   */
  live?: 'list' | 'watch' | 'recover';
}

/** The HTML shell every page shares: one stylesheet, one deferred script, no inline code (the CSP forbids it). */
export function page(options: PageOptions): string {
  const crumbs = options.crumbs ?? [];
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title} · satfarm</title>
<link rel="stylesheet" href="/static/style.css">
<link rel="icon" href="data:,">
<script src="/static/app.js" defer></script>
</head>
<body data-live="${options.live ?? ''}">
<header class="top">
  <a class="brand" href="/">satfarm</a>
  <nav class="crumbs" aria-label="breadcrumbs">
    <a href="/">sweeps</a>${crumbs.map((c) => (c.href === undefined ? html` / <span>${c.label}</span>` : html` / <a href="${c.href}">${c.label}</a>`))}
  </nav>
  <span class="readonly" title="this dashboard only reads the database">read-only</span>
</header>
<div id="banner" class="banner" role="status" hidden></div>
<main>
${options.body}
</main>
</body>
</html>
`.value;
}
