import click
from flask.cli import AppGroup

from accounts.models import User, find_by_email
from accounts.profile import ProfileError, check_password
from core.db import db

accounts_cli = AppGroup("accounts", help="Manage user accounts.")


@accounts_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator", show_default=True)
@click.password_option(help="Asked for when not given.")
def create_admin(email: str, name: str, password: str) -> None:
    """Create a provider administrator, or make an existing user one."""
    try:
        check_password(password)
    except ProfileError as error:
        raise click.ClickException(str(error)) from None
    user = find_by_email(email)
    if user is None:
        user = User(email=email.strip().lower(), name=name)
        db.session.add(user)
    user.is_admin = True
    user.is_organiser = True
    user.set_password(password)
    db.session.commit()
    click.echo(f"{user.email} is an administrator.")
