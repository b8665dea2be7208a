// satfarm dashboard: keeps the server-rendered pages fresh, and drives the epoch slider. No build
// step, no framework. Everything put into the page comes from this dashboard's own server, which
// escapes every value it reads from the database.

(() => {
  const POLL_MS = 3000;
  const body = document.body;
  const banner = document.getElementById('banner');
  let mode = body.dataset.live || '';
  let timer;

  function showBanner(text) {
    banner.textContent = text;
    banner.hidden = false;
  }
  function hideBanner() {
    banner.hidden = true;
    banner.textContent = '';
  }

  /** Fetches this page again and swaps in every [data-live-id] section that changed. */
  async function refreshPage() {
    const response = await fetch(location.href, { cache: 'no-store', headers: { Accept: 'text/html' } });
    if (response.status === 503) throw new Error('the database is unreachable');
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
    for (const section of fresh.querySelectorAll('[data-live-id]')) {
      const current = document.querySelector(`[data-live-id="${CSS.escape(section.dataset.liveId)}"]`);
      if (current === null) continue;
      for (const [key, value] of Object.entries(section.dataset)) current.dataset[key] = value;
      if (current.innerHTML !== section.innerHTML) current.innerHTML = section.innerHTML;
    }
    followNewEpochs();
    return fresh.body.dataset.live || '';
  }

  async function tick() {
    try {
      if (mode === 'recover') {
        const health = await fetch('/healthz', { cache: 'no-store' });
        if (health.ok) {
          location.reload();
          return;
        }
      } else {
        const next = await refreshPage();
        hideBanner();
        // A finished sweep or trial needs no more polling; the list always does (new sweeps appear).
        if (mode === 'watch' && next !== 'watch') mode = next;
      }
    } catch (error) {
      if (mode !== 'recover')
        showBanner(`Cannot refresh: ${error.message}. Showing the last data; retrying.`);
    }
    schedule();
  }

  function schedule() {
    clearTimeout(timer);
    if (mode === '' || document.hidden) return;
    timer = setTimeout(tick, POLL_MS);
  }
  document.addEventListener('visibilitychange', schedule);
  schedule();

  // The epoch slider: saturation per layer at the chosen epoch, fetched as SVG and cached.
  const slider = document.getElementById('epoch');
  const plot = document.getElementById('saturation-plot');
  const cache = new Map();
  let wanted = slider ? slider.value : '';

  async function showEpoch(epoch) {
    wanted = epoch;
    document.getElementById('epoch-value').textContent = epoch;
    let svg = cache.get(epoch);
    if (svg === undefined) {
      let response;
      try {
        response = await fetch(svgUrl(epoch), { cache: 'no-store' });
      } catch (error) {
        showBanner(`Cannot load epoch ${epoch}: ${error.message}`);
        return;
      }
      if (!response.ok) {
        showBanner(`Cannot load epoch ${epoch}: the server answered ${response.status}`);
        return;
      }
      svg = await response.text();
      cache.set(epoch, svg);
    }
    if (wanted !== epoch) return; // the reader moved on while this one loaded
    plot.innerHTML = svg;
    plot.dataset.epoch = epoch;
    slider.dataset.follow = String(epoch === slider.max);
    const download = document.getElementById('saturation-download');
    if (download) {
      download.href = svgUrl(epoch);
      download.download = download.download.replace(/epoch-\d+/, `epoch-${epoch}`);
    }
    const address = new URL(location.href);
    address.searchParams.set('epoch', epoch);
    history.replaceState(null, '', address);
  }

  function svgUrl(epoch) {
    return `/trials/${encodeURIComponent(slider.dataset.trial)}/saturation.svg?epoch=${epoch}`;
  }

  /** While a trial trains, new epochs extend the slider; a reader at the last epoch follows along. */
  function followNewEpochs() {
    if (!slider) return;
    const head = document.querySelector('[data-live-id="trial-head"]');
    const last = head ? head.dataset.lastEpoch : undefined;
    if (!last || last === slider.max) return;
    const follow = slider.dataset.follow === 'true';
    slider.max = last;
    slider.disabled = slider.min === slider.max;
    document.getElementById('epoch-last').textContent = last;
    if (follow) {
      slider.value = last;
      void showEpoch(last);
    }
  }

  if (slider && plot) {
    slider.addEventListener('input', () => void showEpoch(slider.value));
  }
})();
