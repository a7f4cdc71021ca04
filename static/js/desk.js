// The check-in desk. The page works as plain forms; this makes it one fast
// screen: a keyboard-wedge input that keeps focus, camera scanning, search as
// you type, walk-ins, live counters and last scans from every desk.
//
// Every scan gets a nonce (crypto.randomUUID) and waits in a queue kept in
// localStorage until the server answered: on bad Wi-Fi it is retried with the
// same nonce, so nothing is lost and nothing is checked in twice.
(function () {
  "use strict";
  const root = document.getElementById("desk");
  if (!root) return;
  const eventId = root.dataset.event;
  const listKey = root.dataset.list;
  const mayUndo = root.dataset.mayUndo === "yes";
  const api = `/api/v1/events/${eventId}`;
  const listApi = `${api}/lists/${encodeURIComponent(listKey)}`;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const wedge = $("wedge"), deskName = $("desk-name"), result = $("result"), lastScans = $("last-scans");
  const queueNote = $("queue"), rapid = $("rapid");
  const QUEUE_KEY = `claimdesk.desk-queue.${eventId}`;
  const LAST_LINES = 10;

  // --- settings remembered on this device ---------------------------------
  const params = new URLSearchParams(location.search);
  if (!params.get("desk") && localStorage.getItem("claimdesk.desk")) deskName.value = localStorage.getItem("claimdesk.desk");
  const currentDesk = () => deskName.value.trim() || "Desk 1";
  const saveDesk = () => {
    localStorage.setItem("claimdesk.desk", currentDesk());
    document.querySelectorAll('input[type=hidden][name=desk]').forEach((el) => { el.value = currentDesk(); });
  };
  deskName.addEventListener("change", saveDesk);
  saveDesk();
  $("list").addEventListener("change", () => { saveDesk(); $("settings").submit(); });
  rapid.checked = localStorage.getItem("claimdesk.rapid") === "yes";
  rapid.addEventListener("change", () => localStorage.setItem("claimdesk.rapid", rapid.checked ? "yes" : "no"));

  // --- focus: the wedge input keeps it between scans ------------------------
  const keepsOwnFocus = (el) => el && el.closest && el.closest("#search, #search-results, #walk-in-box, #settings, .undo-form");
  const refocus = () => {
    if (!keepsOwnFocus(document.activeElement)) wedge.focus({ preventScroll: true });
  };
  document.addEventListener("click", (e) => { if (!keepsOwnFocus(e.target)) setTimeout(refocus, 0); });
  window.addEventListener("focus", refocus);
  wedge.addEventListener("blur", () => setTimeout(() => {
    const now = document.activeElement;
    if (!now || now === document.body) refocus(); // focus went nowhere: back to scanning
  }, 0));
  document.addEventListener("keydown", (e) => {
    // A scanner "types" into whatever has focus; outside the search and walk-in fields it goes to the wedge.
    if (document.activeElement === document.body && e.key.length === 1) wedge.focus();
  });

  // --- result, sound, vibration -------------------------------------------
  let audio = null;
  function beep(kind) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const tones = { ok: [[880, 0, 0.12]], warn: [[660, 0, 0.12], [660, 0.18, 0.12]], bad: [[220, 0, 0.35]] }[kind];
      for (const [freq, start, length] of tones) {
        const osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = freq;
        osc.type = kind === "bad" ? "square" : "sine";
        gain.gain.value = 0.15;
        osc.connect(gain).connect(audio.destination);
        osc.start(audio.currentTime + start);
        osc.stop(audio.currentTime + start + length);
      }
    } catch (e) { /* no sound on this device */ }
    if (navigator.vibrate) navigator.vibrate({ ok: 80, warn: [80, 60, 80], bad: [300] }[kind]);
  }

  let clearTimer = null;
  function showResult(kind, headline, name, profession) {
    clearTimeout(clearTimer);
    result.className = `result ${kind}`;
    result.replaceChildren();
    const line = (cls, text) => { if (text) { const p = document.createElement("p"); p.className = cls; p.textContent = text; result.append(p); } };
    line("headline", headline);
    line("who", name);
    line("what", profession);
    if (rapid.checked) clearTimer = setTimeout(() => showResult("idle", "Ready to scan"), 2000);
    refocus();
  }

  function showAnswer(answer) {
    const sound = { checked_in: "ok", undone: "ok", already_checked_in: "warn" }[answer.result] || "bad";
    showResult(answer.result, answer.message, answer.name, answer.profession);
    beep(sound);
  }

  // --- the queue: nothing a desk did is lost on bad Wi-Fi --------------------
  const newNonce = () => (crypto.randomUUID ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(""));
  let queue = [];
  try { queue = JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]"); } catch (e) { queue = []; }
  const saveQueue = () => {
    localStorage.setItem(QUEUE_KEY, JSON.stringify(queue));
    queueNote.hidden = queue.length === 0;
    queueNote.textContent = `${queue.length} waiting to be sent — the connection is slow; they will go when it is back.`;
  };

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify(body),
    });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    return { status: response.status, data };
  }

  let sending = false, retryDelay = 500, retryTimer = null;
  async function sendQueue() {
    if (sending) return;
    sending = true;
    clearTimeout(retryTimer);
    try {
      while (queue.length) {
        const item = queue[0];
        let answer;
        try {
          answer = await post(item.url, item.body);
        } catch (e) {
          answer = null; // the network failed: try again later with the same nonce
        }
        if (!answer || answer.status >= 500 || answer.status === 429 || answer.status === 0) {
          saveQueue();
          retryTimer = setTimeout(sendQueue, retryDelay);
          retryDelay = Math.min(retryDelay * 2, 8000);
          return;
        }
        retryDelay = 500;
        queue.shift();
        saveQueue();
        if (answer.status === 200 && answer.data) {
          showAnswer(answer.data);
          if (!live || !live.connected) fetchState();
        } else {
          const error = (answer.data && answer.data.error) || {};
          showResult("error", error.message || "That did not work; please try again.");
          beep("bad");
          if (answer.status === 401) location.reload();
        }
      }
    } finally {
      sending = false;
    }
  }

  function enqueue(url, body) {
    queue.push({ url, body: { ...body, nonce: newNonce(), desk: currentDesk() } });
    saveQueue();
    sendQueue();
  }
  window.addEventListener("online", sendQueue);

  // --- scanning: keyboard wedge and camera -----------------------------------
  $("scan-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const code = wedge.value.trim();
    wedge.value = "";
    wedge.focus();
    if (!code) return;
    showResult("idle", "Checking…");
    enqueue(`${listApi}/scans`, { code });
  });

  let camera = null;
  const cameraButton = $("camera-button"), video = $("camera");
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia && (window.BarcodeDetector || window.BarcodeDetectionAPI)) {
    cameraButton.hidden = false;
  }
  function detector() {
    if (window.BarcodeDetectionAPI) {
      // The ponyfill's WebAssembly comes from this server, never from a CDN.
      window.BarcodeDetectionAPI.prepareZXingModule({
        overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? "/vendor/zxing_reader.wasm" : prefix + path) },
      });
      return new window.BarcodeDetectionAPI.BarcodeDetector({ formats: ["qr_code"] });
    }
    return new window.BarcodeDetector({ formats: ["qr_code"] });
  }
  async function startCamera() {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      const reader = detector();
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      let last = "", lastAt = 0;
      camera = { stream, timer: setInterval(async () => {
        if (video.readyState < 2) return;
        try {
          const codes = await reader.detect(video);
          const value = codes.length ? codes[0].rawValue : "";
          const now = Date.now();
          if (value && (value !== last || now - lastAt > 3000)) {
            last = value; lastAt = now;
            showResult("idle", "Checking…");
            enqueue(`${listApi}/scans`, { code: value });
          }
        } catch (e) { /* a frame that could not be read */ }
      }, 250) };
      cameraButton.textContent = "Stop the camera";
    } catch (e) {
      showResult("error", "The camera could not be started. Allow camera access, or use the scanner or search.");
    }
  }
  function stopCamera() {
    clearInterval(camera.timer);
    camera.stream.getTracks().forEach((t) => t.stop());
    camera = null;
    video.hidden = true;
    cameraButton.textContent = "Use the camera";
  }
  cameraButton.addEventListener("click", () => (camera ? stopCamera() : startCamera()));

  // --- name search ------------------------------------------------------------
  const searchInput = $("search-q"), searchResults = $("search-results");
  let searchTimer = null, searchSeq = 0;
  async function runSearch() {
    const q = searchInput.value.trim();
    const seq = ++searchSeq;
    if (q.length < 3) { searchResults.replaceChildren(); return; }
    let data;
    try {
      const response = await fetch(`${listApi}/search?q=${encodeURIComponent(q)}`, { credentials: "same-origin", headers: { Accept: "application/json" } });
      data = await response.json();
    } catch (e) { return; }
    if (seq !== searchSeq) return; // a newer search is on its way
    searchResults.replaceChildren();
    const people = data.results || [];
    if (!people.length) {
      const li = document.createElement("li"); li.className = "muted"; li.textContent = data.error ? data.error.message : "Nobody found.";
      searchResults.append(li);
    }
    for (const person of people) {
      const li = document.createElement("li");
      const who = document.createElement("span");
      const strong = document.createElement("strong"); strong.textContent = person.name;
      const email = document.createElement("span"); email.className = "muted"; email.textContent = ` ${person.email}`;
      who.append(strong, email);
      const notes = [person.profession, person.revoked ? "Badge revoked" : "", person.checked_in ? `Checked in at ${person.checked_in_text}` : ""];
      for (const note of notes.filter(Boolean)) { who.append(document.createElement("br"), note); }
      const button = document.createElement("button");
      button.type = "button"; button.className = "button small"; button.textContent = "Check in";
      button.addEventListener("click", () => {
        showResult("idle", "Checking…");
        enqueue(`${listApi}/checkins`, { registration_id: person.registration_id });
        searchInput.value = ""; searchResults.replaceChildren();
        wedge.focus();
      });
      li.append(who, button);
      searchResults.append(li);
    }
  }
  searchInput.addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(runSearch, 200); });
  $("search").addEventListener("submit", (e) => { e.preventDefault(); clearTimeout(searchTimer); runSearch(); });

  // --- walk-ins ---------------------------------------------------------------
  const walkIn = $("walk-in"), walkInError = $("walk-in-error");
  walkIn.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { name: $("walk-in-name").value, email: $("walk-in-email").value, profession: $("walk-in-profession").value,
                   nonce: walkIn.dataset.nonce || newNonce(), desk: currentDesk() };
    walkIn.dataset.nonce = body.nonce; // a retry after a network failure registers nobody twice
    walkInError.hidden = true;
    let answer;
    try { answer = await post(`${listApi}/walk-ins`, body); } catch (err) { answer = null; }
    if (!answer || answer.status >= 500) {
      walkInError.textContent = "No connection: press the button again when it is back. Nothing was lost.";
      walkInError.hidden = false;
      return;
    }
    if (answer.status !== 200) {
      walkInError.textContent = (answer.data && answer.data.error && answer.data.error.message) || "That did not work.";
      walkInError.hidden = false;
      delete walkIn.dataset.nonce;
      return;
    }
    delete walkIn.dataset.nonce;
    walkIn.reset();
    $("walk-in-box").open = false;
    wedge.focus();
    showAnswer(answer.data);
    if (!live || !live.connected) fetchState();
  });

  // --- live counters and last scans ---------------------------------------------
  function lineItem(line) {
    const li = document.createElement("li");
    li.className = line.result;
    li.dataset.scan = line.scan_id;
    const when = document.createElement("span"); when.className = "when"; when.textContent = line.at_text;
    const who = document.createElement("strong"); who.textContent = line.name || "Unknown code";
    const where = document.createElement("span"); where.className = "muted";
    where.textContent = `(${line.desk}${line.by ? ", " + line.by : ""})`;
    li.append(when, " ", who, ` — ${line.message} `, where);
    if (mayUndo && line.checkin_id) {
      const undo = document.createElement("button");
      undo.type = "button"; undo.className = "button small secondary"; undo.textContent = "Undo";
      undo.addEventListener("click", () => { undo.hidden = true; li.append(undoForm(line, undo)); });
      li.append(" ", undo);
    }
    return li;
  }
  // Undo asks for its reason in the line itself: a host types it, Enter undoes, Escape thinks again.
  function undoForm(line, undo) {
    const form = document.createElement("form");
    form.className = "undo-form";
    form.noValidate = true; // our own words for an empty reason, not the browser's bubble
    const id = `undo-reason-${line.checkin_id}`;
    const label = document.createElement("label"); label.htmlFor = id; label.textContent = `Why undo the check-in of ${line.name}?`;
    const reason = document.createElement("input"); reason.id = id; reason.name = "reason"; reason.required = true; reason.maxLength = 300;
    reason.autocomplete = "off";
    const message = document.createElement("p"); message.className = "field-error"; message.setAttribute("role", "alert");
    const send = document.createElement("button"); send.type = "submit"; send.className = "button small"; send.textContent = "Undo check-in";
    const cancel = document.createElement("button"); cancel.type = "button"; cancel.className = "button small secondary"; cancel.textContent = "Keep it";
    const close = () => { form.remove(); undo.hidden = false; showWaitingLines(); refocus(); };
    cancel.addEventListener("click", close);
    form.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.preventDefault(); close(); } });
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!reason.value.trim()) { message.textContent = "Say why this check-in is being undone."; reason.focus(); return; }
      send.disabled = true;
      let answer;
      try { answer = await post(`${api}/checkins/${line.checkin_id}/undo`, { reason: reason.value, desk: currentDesk() }); } catch (err) { answer = null; }
      send.disabled = false;
      if (answer && answer.status === 200) {
        form.remove(); undo.remove(); showAnswer(answer.data); showWaitingLines();
        if (!live || !live.connected) fetchState();
        return;
      }
      // The reason stays as typed; the host can send it again.
      message.textContent = (answer && answer.data && answer.data.error && answer.data.error.message) || "No connection: try again.";
      reason.focus();
    });
    form.append(label, reason, send, cancel, message);
    setTimeout(() => reason.focus(), 0);
    return form;
  }
  function showCounters(counters) {
    if (!counters || counters.list !== listKey) return;
    $("checked-in").textContent = counters.checked_in;
    $("registered").textContent = counters.registered;
  }
  let waitingLines = null; // while a host types an undo reason, the list under their fingers stays put
  function showLines(lines) {
    if (lastScans.querySelector(".undo-form")) { waitingLines = lines; return; }
    lastScans.replaceChildren(...lines.map(lineItem));
  }
  function showWaitingLines() { if (waitingLines) { const lines = waitingLines; waitingLines = null; showLines(lines); } }
  async function fetchState() {
    try {
      const response = await fetch(`${listApi}/state`, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const state = await response.json();
      showCounters(state.counters);
      showLines(state.last_scans);
    } catch (e) { /* offline: the next (re)connect fetches again */ }
  }
  function onScan(line) {
    if (!line || line.list !== listKey) return;
    lastScans.querySelectorAll("li.empty").forEach((li) => li.remove());
    if (line.result === "undone") {
      // The check-in it took back can no longer be undone.
      fetchState();
      return;
    }
    if (lastScans.querySelector(`li[data-scan="${line.scan_id}"]`)) return;
    lastScans.prepend(lineItem(line));
    while (lastScans.children.length > LAST_LINES) lastScans.lastElementChild.remove();
  }
  const onConnect = () => { root.dataset.live = "connected"; fetchState(); };
  const live = window.ClaimDeskLive ? window.ClaimDeskLive.join(`desk:${eventId}`, { "desk.scan": onScan, "desk.counters": showCounters }, onConnect) : null;
  if (live) live.on("disconnect", () => { root.dataset.live = "reconnecting"; });
  if (!live) fetchState();

  saveQueue();
  sendQueue(); // scans left from before a reload
  refocus();
})();
