// Polling that stops when the page is left and pauses while the tab is hidden.

/** Calls fn now and then every `ms`; returns a function that stops it. */
export function poll(fn, ms) {
  let timer = null, stopped = false;
  const tick = async () => {
    if (stopped) return;
    if (!document.hidden) {
      try { await fn(); } catch { /* the next tick tries again; pages show their own errors */ }
    }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  tick();
  return () => { stopped = true; clearTimeout(timer); };
}
