// Keeps a session page's submission-window box right without a reload:
// a push from the server, a timer aimed at the next change (in server time),
// and a re-fetch whenever the page may have missed something (reconnect,
// waking from sleep, coming back online).
(function () {
  const box = document.getElementById("window");
  if (!box) return;
  const url = box.dataset.stateUrl;
  const part = (name) => box.querySelector(`[data-part="${name}"]`);
  let skew = Date.parse(box.dataset.serverNow) - Date.now();
  let nextChange = null;
  let state = box.classList.contains("open") ? "open" : box.classList.contains("closed") ? "closed" : "not_open";
  let opensAt = Date.parse(box.dataset.opensAt);
  let closesAt = Date.parse(box.dataset.closesAt);
  nextChange = state === "not_open" ? opensAt : state === "open" ? closesAt : null;
  let lastFetch = 0;
  let lastTick = Date.now();

  function render(status) {
    state = status.state;
    box.className = "window " + state;
    box.dataset.state = state;
    part("headline").textContent = status.headline;
    part("detail").textContent = status.detail;
    part("note").textContent = status.note;
    part("note").hidden = !status.note;
    opensAt = Date.parse(status.opens_at);
    closesAt = Date.parse(status.closes_at);
    skew = Date.parse(status.server_now) - Date.now();
    nextChange = status.next_change_at ? Date.parse(status.next_change_at) : null;
    countdown();
  }

  function refresh() {
    lastFetch = Date.now();
    fetch(url, { cache: "no-store", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : null))
      .then((s) => s && render(s))
      .catch(() => {});
  }

  function countdown() {
    const el = part("countdown");
    if (state !== "not_open") { el.hidden = true; return; }
    const left = Math.max(0, Math.round((opensAt - (Date.now() + skew)) / 1000));
    const h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    el.textContent = "Opens in " + (h ? h + " h " : "") + String(m).padStart(2, "0") + " min " + String(s).padStart(2, "0") + " s";
    el.hidden = false;
  }

  setInterval(() => {
    const now = Date.now();
    const slept = now - lastTick > 5000; // timers stop while a phone sleeps
    lastTick = now;
    countdown();
    const due = nextChange !== null && now + skew >= nextChange;
    if ((due || slept) && now - lastFetch > 1000) refresh();
    else if (now - lastFetch > 300000) refresh(); // correct slow drift on long-open pages
  }, 500);

  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
  window.addEventListener("online", refresh);
  window.addEventListener("pageshow", (e) => { if (e.persisted) refresh(); });
  countdown();
  window.addEventListener("load", () => {
    window.ClaimDeskLive && window.ClaimDeskLive.join("session:" + box.dataset.session, { window: render }, refresh);
  });
})();
