// Polling that pauses while the page is hidden: fn runs, then again `intervalMs` after it
// finished (never two at once); while the tab is hidden nothing runs, and it runs at once when the
// tab is shown again. Answers stop().

export function poll(fn, intervalMs) {
  let timer = null;
  let running = false;
  let stopped = false;

  async function tick() {
    timer = null;
    if (stopped || running) return;
    if (document.visibilityState === 'hidden') return; // resumed by visibilitychange
    running = true;
    try {
      const again = await fn();
      if (again === false) stopped = true; // fn says there is nothing more to wait for
    } catch (e) {
      // fn shows its own errors; polling goes on
    } finally {
      running = false;
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  }

  function onVisibility() {
    if (document.visibilityState === 'visible' && !timer && !running && !stopped) tick();
  }

  document.addEventListener('visibilitychange', onVisibility);
  tick();
  return function stop() {
    stopped = true;
    if (timer) clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisibility);
  };
}
