// The one way a page subscribes to live updates. Pushes only make pages
// faster: on every (re)connect the page re-fetches its state over HTTP, so a
// missed push never leaves it wrong, and without a socket it still works.
window.ClaimDeskLive = {
  join(room, handlers, onConnect) {
    if (!window.io) return null;
    const socket = window.io({ transports: ["websocket"] });
    socket.on("connect", () => {
      // Re-fetch once the server has us in the room, so no push falls between the fetch and the join.
      socket.emit("join", { room }, () => { if (onConnect) onConnect(); });
    });
    for (const [event, handler] of Object.entries(handlers)) socket.on(event, handler);
    return socket;
  },
};
