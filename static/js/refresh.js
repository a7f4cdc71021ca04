// Live parts of a page: an element with data-room and data-refresh-url is
// re-fetched (and swapped in place) whenever a push arrives for its room and
// whenever the socket (re)connects, so a missed push never leaves it stale.
(function () {
  const el = document.querySelector("[data-room][data-refresh-url]");
  if (!el) return;
  let busy = false;
  function refresh() {
    if (busy) return;
    busy = true;
    fetch(el.dataset.refreshUrl, { cache: "no-store", credentials: "same-origin" })
      .then((r) => (r.ok ? r.text() : null))
      .then((html) => {
        if (html === null) return;
        const doc = new DOMParser().parseFromString(html, "text/html");
        const fresh = doc.getElementById(el.id);
        if (fresh) el.innerHTML = fresh.innerHTML;
      })
      .catch(() => {})
      .finally(() => { busy = false; });
  }
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
  window.addEventListener("load", () => {
    const handlers = {};
    for (const name of (el.dataset.events || "step").split(" ")) handlers[name] = refresh;
    window.ClaimDeskLive && window.ClaimDeskLive.join(el.dataset.room, handlers, refresh);
    // Claims not open yet (a code revealed early): the session's room says when they open.
    if (el.dataset.windowRoom && window.ClaimDeskLive) {
      window.ClaimDeskLive.join(el.dataset.windowRoom, { window: refresh }, null);
    }
  });
})();
