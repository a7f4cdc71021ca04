// Keeps the presenter view current: the count rises as attendees enter the
// code (a push), and a reveal or code change made on another screen reloads
// it. Pushes only make it faster: on (re)connect, every 10 seconds and when
// the page is shown again it re-fetches the state, so nothing missed stays missed.
(function () {
  const root = document.getElementById("presenter");
  if (!root) return;
  const url = root.dataset.stateUrl;
  const revealed = root.dataset.revealed === "1";
  const code = root.dataset.code;
  const countEl = root.querySelector('[data-part="count"]');
  const wordsEl = root.querySelector('[data-part="count-words"]');

  function showCount(count) {
    if (!countEl || typeof count !== "number") return;
    countEl.textContent = String(count);
    wordsEl.textContent = count === 1 ? "attendee has entered the code" : "attendees have entered the code";
  }

  function render(state) {
    if (state.revealed !== revealed || (state.revealed && state.code !== code)) {
      window.location.reload();
      return;
    }
    showCount(state.count);
  }

  function refresh() {
    fetch(url, { cache: "no-store", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : null))
      .then((state) => state && render(state))
      .catch(() => {});
  }

  setInterval(refresh, 10000);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
  window.addEventListener("online", refresh);

  const full = root.querySelector('[data-action="fullscreen"]');
  if (full && document.documentElement.requestFullscreen) {
    full.hidden = false;
    full.addEventListener("click", () => document.documentElement.requestFullscreen().catch(() => {}));
  }

  window.addEventListener("load", () => {
    window.ClaimDeskLive && window.ClaimDeskLive.join(
      "presenter:" + root.dataset.session,
      {
        count: (data) => showCount(data.count),
        revealed: refresh,
        code_changed: refresh,
      },
      refresh,
    );
  });
})();
