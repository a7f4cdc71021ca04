// The one way a page subscribes to live updates. Pushes only make pages
// faster: on every (re)connect the page re-fetches its state over HTTP, so a
// missed push never leaves it wrong, and without a socket it still works.
//
// WebSocket only (no long-polling): each connection is one TCP connection to
// one server process, so several processes behind a proxy need no sticky
// sessions (README "Scaling"). A server asks pages to re-fetch with "resync"
// (after a Redis outage, when pushes may have been lost, or `flask live resync`).
window.ClaimDeskLive = {
  join(room, handlers, onConnect) {
    if (!window.io) return null;
    const socket = window.io({ transports: ["websocket"] });
    socket.on("connect", () => {
      // Re-fetch once the server has us in the room, so no push falls between the fetch and the join.
      socket.emit("join", { room }, () => { if (onConnect) onConnect(); });
    });
    if (onConnect) socket.on("resync", () => onConnect());
    for (const [event, handler] of Object.entries(handlers)) socket.on(event, handler);
    return socket;
  },
};
