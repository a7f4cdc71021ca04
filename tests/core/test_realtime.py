"""Socket.IO set-up details that matter at 10,000 connections."""


def test_websockets_are_not_compressed_so_each_connection_stays_small(app):
    """Browsers offer permessage-deflate; declining it saves hundreds of KB of zlib state per connection."""
    seen = {}

    def inner(environ, start_response):
        seen.update(environ)
        return []

    from core.realtime import _UncompressedWebSockets

    _UncompressedWebSockets(inner)({"PATH_INFO": "/socket.io/", "HTTP_UPGRADE": "websocket",
                                    "HTTP_SEC_WEBSOCKET_EXTENSIONS": "permessage-deflate; client_max_window_bits"},
                                   lambda *a: None)
    assert "HTTP_SEC_WEBSOCKET_EXTENSIONS" not in seen and seen["HTTP_UPGRADE"] == "websocket"
    assert isinstance(app.wsgi_app, _UncompressedWebSockets)  # outermost, before Flask-SocketIO sees the request
