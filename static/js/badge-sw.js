// Keeps a badge page for when the phone is offline. Registered with the badge
// page as its scope, so it never touches any other page: network first (the
// badge may have been revoked), the kept copy only when there is no network.
const CACHE = "claimdesk-badge-v1";
const STYLES = "/static/css/app.css";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll([self.registration.scope, STYLES]))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok && !response.redirected) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        } else if (request.mode === "navigate") {
          // Logged out, or no longer registered: forget the kept badge.
          caches.open(CACHE).then((cache) => cache.delete(request));
        }
        return response;
      })
      .catch(() => caches.match(request, {ignoreSearch: true}).then((kept) => kept || Response.error()))
  );
});
