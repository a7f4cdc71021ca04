"""/health reports the database and Redis separately, for load balancers and monitors."""
from tests.scale.servers import free_port


def test_one_process_without_redis(client):
    assert client.get("/health").get_json() == {"database": "ok", "redis": "not configured", "status": "ok"}
    assert client.get("/health/live").get_data(as_text=True) == "ok\n"


def test_redis_down_is_degraded_not_down(redis_app, redis_server):
    client = redis_app.test_client()
    assert client.get("/health").get_json() == {"database": "ok", "redis": "ok", "pushes": "idle",
                                                "rate_limits": "shared", "status": "ok"}
    redis_server.stop()
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() | {"pushes": None} == {"database": "ok", "redis": "down", "pushes": None,
                                                       "rate_limits": "shared", "status": "degraded"}


def test_database_down_is_503():
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none",
                      "SECRET_KEY": "x", "BACKGROUND_TASKS": False, "SOCKETIO_ASYNC_MODE": "threading", "TESTING": True})
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json() == {"database": "down", "redis": "not configured", "status": "down"}
