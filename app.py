"""ClaimDesk: `create_app(config)` builds the application; gunicorn serves `app`.

    gunicorn -k gevent -w 1 --worker-connections 10000 app:app
"""
from __future__ import annotations

import gc
import os
import secrets
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, Response, abort, send_from_directory
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config
from core import admission, edge, errors, forms, headers, logs, ratelimit, realtime
from core.cookies import SignedCookieSessions
from core.db import db
from core.realtime import allow_room, socketio

ROOT = Path(__file__).resolve().parent
SQLITE_POOL = 15  # SQLite connections kept per process (SQLAlchemy's default keeps 5)
login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = "Please log in to continue."
csrf = CSRFProtect()
migrate = Migrate()


def _secret_key(app: Flask) -> str:
    """SECRET_KEY from the environment, else one kept in the instance folder."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    if config:
        app.config.update(config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app)
    if not app.config.get("REPORTING_BATCH_DIR"):
        app.config["REPORTING_BATCH_DIR"] = str(Path(app.instance_path) / "reporting-batches")
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'claimdesk.sqlite'}"
    _scaled_setup(app)  # PostgreSQL pool, Redis limiter storage, logs (see README "Scaling")
    app.session_interface = SignedCookieSessions()

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    # Ids the database can hold, no NUL characters, forms that can be read: before any route is added,
    # and before any other reader of the request (the CSRF check reads the form).
    edge.init_app(app)
    csrf.init_app(app)
    ratelimit.init_app(app)
    login_manager.init_app(app)
    realtime.init_app(app)  # in process, or through Redis with REDIS_URL
    errors.register(app)
    forms.init_app(app)  # the field renderers of templates/core/forms.html
    headers.init_app(app)  # Content-Security-Policy and the other security headers; no-store on pages

    from accounts.cli import accounts_cli
    from accounts.models import User
    from accounts.views import bp as accounts_bp
    from checkin import models as checkin_models  # noqa: F401  (its tables are part of the schema)
    from checkin.attendance import set_entrants
    from checkin.api import bp as desk_api_bp
    from checkin.desk import may_use_desk, staffs_a_desk
    from checkin.desk_views import bp as desk_bp
    from checkin.views import bp as checkin_bp
    from claims.views import attendee_standing, bp as claims_bp
    from codes.redeem import entrants
    from codes.views import bp as codes_bp, may_watch_presenter  # also gives new sessions their codes
    from core import audit  # noqa: F401  (its table is part of the schema)
    from core.health import bp as health_bp
    from evaluations.access import set_standing
    from evaluations.views import bp as evaluations_bp
    from events.demo import demo_cli
    from events.models import EventSession
    from events.views import bp as events_bp
    from reporting import models as reporting_models  # noqa: F401  (its tables are part of the schema)
    from reporting.cli import reporting_cli
    from reporting.report_views import bp as reports_bp
    from reporting.views import bp as reporting_bp, report_status

    load_user_statement = sa.select(User).where(
        User.id == sa.bindparam("user_id"), User.session_epoch == sa.bindparam("epoch"),
    ).options(so.with_expression(User.staffs_a_desk, staffs_a_desk()))

    @login_manager.user_loader
    def load_user(user_id: str):
        # One statement, built once; it also tells the nav whether to offer the check-in desk.
        # The cookie holds "<id>:<session epoch>" (User.get_id): a cookie from before the user's
        # last log-out or password change finds no one. A bare "<id>" (cookies from before
        # accounts_0003) is epoch 1.
        ident, _, epoch = user_id.partition(":")
        epoch = epoch or "1"
        if not (ident.isdigit() and ident.isascii() and epoch.isdigit() and epoch.isascii()):
            return None
        return db.session.scalar(load_user_statement, {"user_id": int(ident), "epoch": int(epoch)})

    app.register_blueprint(health_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(claims_bp)
    app.register_blueprint(codes_bp)
    app.register_blueprint(evaluations_bp)
    app.register_blueprint(checkin_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(reporting_bp)
    app.register_blueprint(desk_bp)
    app.register_blueprint(desk_api_bp)
    # The desk API checks CSRF itself for requests with the cookie, and not for desk devices'
    # bearer tokens (checkin/api.py says why).
    csrf.exempt(desk_api_bp)
    app.cli.add_command(accounts_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(reporting_cli)
    app.cli.add_command(realtime.live_cli)

    allow_room("session", lambda ident: db.session.get(EventSession, ident) is not None)
    allow_room("user", lambda ident: current_user.is_authenticated and current_user.id == ident)
    # Evaluations are for attendees who entered the session's code; after each
    # one the attendee goes straight to their next step (claims' journey, read once per request).
    set_standing(attendee_standing)
    # A session's people, whom its hosts may mark as attended: its event's registrants and those who entered its code.
    set_entrants(entrants)
    allow_room("presenter", may_watch_presenter)
    # Claims' pages show each claim's report status without importing reporting.
    app.jinja_env.globals["report_status"] = report_status
    allow_room("desk", lambda ident: may_use_desk(current_user, ident))  # the event's check-in desks
    # The host's set-up checklist on the event page: each package's part of setting up an event.
    from checkin.views import checklist_items as checkin_items
    from codes.views import checklist_items as codes_items
    from evaluations.views import checklist_items as evaluations_items
    from events import checklist

    for source in (evaluations_items, checkin_items, codes_items):
        checklist.add_source(source)

    @app.get("/vendor/<path:filename>")
    def vendor(filename: str):
        """Front-end packages installed by npm (see package.json)."""
        allowed = {
            "socket.io.min.js": "socket.io-client/dist",
            "chart.umd.min.js": "chart.js/dist",
            # The desk's camera scanning: the Barcode Detection API ponyfill and its ZXing WebAssembly.
            "ponyfill.js": "barcode-detector/dist/iife",
            "zxing_reader.wasm": "zxing-wasm/dist/reader",
        }
        if filename not in allowed:
            abort(404)
        return send_from_directory(ROOT / "node_modules" / allowed[filename], filename, max_age=86400)

    icon = (Path(app.static_folder) / "favicon.ico").read_bytes()  # 4 KB, read once: no file to open per request

    @app.get("/favicon.ico")
    def favicon():
        """Where browsers look for a site's icon unless a page names one."""
        response = Response(icon, mimetype="image/vnd.microsoft.icon")
        response.cache_control.max_age = 86400
        response.cache_control.public = True
        return response

    if app.config["BACKGROUND_TASKS"]:
        _start_background_tasks(app)
    proxies = app.config["PROXY_COUNT"]
    if proxies:
        # Outermost, so every layer (Socket.IO's same-origin check too) sees the client's address and
        # scheme. Only X-Forwarded-For and -Proto: the proxy passes Host itself (README "Running behind HTTPS").
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0, x_port=0, x_prefix=0)
    return app


# --- the scaled set-up: engine, limiter storage, logs ------------------------

def _scaled_setup(app: Flask) -> None:
    """Settings that follow DATABASE_URL and REDIS_URL; nothing to do for SQLite alone."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # Under gunicorn's gevent worker psycopg waits cooperatively (it sees the
        # patched `select` and uses `wait_poll`), so a greenlet waiting on a query
        # lets the others run; the pool is shared by all greenlets of the process.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {
            "pool_pre_ping": True,  # a connection dropped by a database restart is replaced, not used
            "pool_size": app.config["DATABASE_POOL_SIZE"],
            "max_overflow": app.config["DATABASE_MAX_OVERFLOW"],
            "pool_timeout": 30,  # under overload a request waits this long for a connection, then fails plainly
            "pool_recycle": 1800,
        })
        if app.config["MAX_REQUESTS_IN_FLIGHT"] is None:
            app.config["MAX_REQUESTS_IN_FLIGHT"] = app.config["DATABASE_POOL_SIZE"] + app.config["DATABASE_MAX_OVERFLOW"]
    elif _sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"]):  # (an in-memory SQLite keeps its one connection)
        # A SQLite file: keep as many connections as requests may hold at once. Overflow connections are
        # closed on return and reopened (with their PRAGMAs) at the next checkout, which showed in the profile.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_size": SQLITE_POOL, "max_overflow": 10})
        if app.config.get("REDIS_URL") and app.config["MAX_REQUESTS_IN_FLIGHT"] is None:
            # With Redis (several processes) a request waiting on Redis holds its pooled connection, so under
            # overload the pool ran dry and requests failed after 30 s (bench/stampede.py --processes 2).
            # Let in only as many as the pool keeps.
            app.config["MAX_REQUESTS_IN_FLIGHT"] = SQLITE_POOL
    admission.init_app(app, app.config["MAX_REQUESTS_IN_FLIGHT"] or 0)
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    if redis_url:
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # Redis down: count in memory (per process) and go back to Redis when it answers.
        app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {
            "socket_connect_timeout": 0.5, "socket_timeout": 0.5, "retry": Retry(NoBackoff(), 0)})
    # Personal data never reaches a log through a failed statement: SQLAlchemy leaves the parameters
    # (e-Profile IDs, birth dates, badge tokens) out of its error text (issue 12; core.logs redacts too).
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("hide_parameters", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    logs.setup(app)


def _sqlite_file(uri: str) -> bool:
    return uri.startswith("sqlite:///") and ":memory:" not in uri


def _start_background_tasks(app: Flask) -> None:
    """Start the watchers with the first request, so CLI commands never run them."""
    started = False

    @app.before_request
    def start_once():
        nonlocal started
        if started:
            return
        started = True
        from events import watch

        socketio.start_background_task(watch.run, app)
        if app.config["REPORTING_WORKER"] == "embedded":
            from reporting import worker

            socketio.start_background_task(worker.run, app, socketio.sleep)


app = create_app()
# What is loaded by now lives as long as the process. Frozen, the garbage collector's full passes
# skip it: otherwise each one stalls every request of the (single, gevent) worker for ~0.1 s.
gc.freeze()
