"""``ckan regionaliot datastore grams``: Japanese search for tables made before it existed.

Tables loaded before the bigrams, or before their upsert trigger, or made through the API
(README.md, "Tables made before"): the bigrams of their rows and the trigger, safe to run
again. ``ckan regionaliot datastore-triggers`` (hidden) is its former name.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from ckanext.regionaliot.cli import regionaliot

from . import hooks

__all__ = ["commands", "datastore", "grams"]


@click.group(short_help="DataStore tables: Japanese search for tables made before it")
def datastore():
    """DataStore tables (plugin regionaliot_datastore)."""


def _grams(ctx: click.Context, resource_ids: tuple[str, ...]) -> None:
    done, failed = hooks.update_grams(list(resource_ids) or None)
    # Messages are translated with gettext, which needs a request context.
    with ctx.meta["flask_app"].test_request_context():
        for table, rows in done:
            if rows is None:
                click.echo(tk._("{table}: the upsert trigger added (it had its bigrams)")
                           .format(table=table))
            else:
                click.echo(tk._("{table}: bigrams added to {rows} rows, and the upsert "
                                "trigger").format(table=table, rows=rows))
        for table, error in failed:
            click.secho(tk._("{table}: not brought up to date: {error}").format(
                table=table, error=error), fg="red", err=True)
        click.secho(tk._("{count} tables brought up to date.").format(count=len(done)),
                    fg="green")
    if failed:
        ctx.exit(1)


_HELP = """Give every DataStore table that lacks them (or only RESOURCE_IDS) the bigrams
of its rows' Japanese and the trigger that gives them to rows added later; a table that has
the bigrams but not the trigger gets the trigger only. Safe to run again: tables that have
both are left alone. Each table is locked against writes while it is updated (one UPDATE of
its rows, as after a load): run it when nobody is loading."""


@datastore.command("grams", help=_HELP,
                   short_help="Japanese bigrams and their trigger for tables that lack them")
@click.argument("resource_ids", nargs=-1)
@click.pass_context
def grams(ctx: click.Context, resource_ids: tuple[str, ...]):
    _grams(ctx, resource_ids)


@click.command("datastore-triggers", hidden=True, help=_HELP)
@click.argument("resource_ids", nargs=-1)
@click.pass_context
def datastore_triggers(ctx: click.Context, resource_ids: tuple[str, ...]):
    _grams(ctx, resource_ids)


def commands() -> list:
    """Added to the core plugin's ``ckan regionaliot`` group (as the kpi plugin does)."""
    regionaliot.add_command(datastore)
    regionaliot.add_command(datastore_triggers)
    return []
