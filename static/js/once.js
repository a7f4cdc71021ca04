// A form marked data-once submits once: a double tap does not send it twice.
// (The server refuses a second claim anyway; this spares the attendee the message.)
document.querySelectorAll("form[data-once]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    form.querySelectorAll("[type=submit]").forEach((b) => b.setAttribute("aria-disabled", "true"));
  });
});
