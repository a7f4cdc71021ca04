// Saves each posttest answer the moment it is chosen, so leaving the page
// keeps it. Without JavaScript the "Save answers" button does the same.
// Saves for one question go one at a time, so the last choice always wins.
(function () {
  const form = document.getElementById("posttest");
  if (!form || !window.fetch) return;
  const url = form.dataset.answerUrl;
  const token = form.querySelector('input[name="csrf_token"]');
  const queues = {};

  function note(name, text, failed) {
    const el = form.querySelector(`[data-saved-for="${name}"]`);
    if (!el) return;
    el.textContent = text;
    el.classList.toggle("error", !!failed);
  }

  function save(name, choiceId) {
    const body = new URLSearchParams({ question_id: name.slice(1), choice_id: choiceId });
    const headers = { Accept: "application/json" };
    if (token) headers["X-CSRFToken"] = token.value;
    note(name, "Saving…");
    return fetch(url, { method: "POST", body, headers, credentials: "same-origin" })
      .then((r) => r.json().catch(() => ({})).then((data) => ({ ok: r.ok, data })))
      .then(({ ok, data }) => {
        if (ok && data.saved) note(name, "Saved");
        else note(name, (data && data.error) || "Not saved. Use the Save answers button.", true);
      })
      .catch(() => note(name, "Not saved (no connection). Use the Save answers button when you are back online.", true));
  }

  form.addEventListener("change", (event) => {
    const input = event.target;
    if (input.type !== "radio" || !/^q\d+$/.test(input.name)) return;
    const name = input.name;
    queues[name] = (queues[name] || Promise.resolve()).then(() => {
      const checked = form.querySelector(`input[name="${name}"]:checked`);
      return checked ? save(name, checked.value) : null;
    });
  });
})();
