"""`flask reporting worker`: the reporting worker as its own process (see the Procfile)."""
from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from core.db import db

reporting_cli = AppGroup("reporting", help="Transmit completed claims to CPE Monitor and ACCME PARS.")


@reporting_cli.command("worker")
@click.option("--once", is_flag=True, help="Transmit everything due now, then stop.")
def worker_command(once: bool) -> None:
    """Run the reporting worker. With PostgreSQL several may run at once; with SQLite run one
    (and set REPORTING_WORKER=off for the server, so its embedded worker stays off)."""
    from reporting import worker

    app = current_app._get_current_object()
    if not once:
        click.echo("reporting worker: started")
        worker.run(app, time.sleep)
        return
    transmitting = worker.Worker(app.config)
    total = 0
    try:
        while True:
            took = transmitting.run_once()
            db.session.remove()
            if not took:
                break
            total += took
    finally:
        transmitting.close()
    click.echo(f"reporting worker: {total} transmissions handled")
