// A new event: when no time zone is chosen yet (the host has no earlier event), choose the browser's own.
(() => {
  const select = document.querySelector("select[data-browser-zone]");
  if (!select || select.value) return;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if ([...select.options].some((option) => option.value === zone)) select.value = zone;
})();
