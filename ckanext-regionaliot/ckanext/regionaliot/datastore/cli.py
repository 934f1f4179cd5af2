"""``ckan regionaliot datastore-triggers``: the upsert trigger for tables that lack it."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from ckanext.regionaliot.cli import regionaliot

from . import hooks

__all__ = ["commands", "datastore_triggers"]


@click.command("datastore-triggers",
                     short_help="Give tables loaded before the upsert trigger existed their trigger")
def datastore_triggers():
    """Tables that have their Japanese bigrams but were loaded before rows added later got
    them too (datastore_upsert): add the trigger now. Safe to run again."""
    added = hooks.add_missing_grams_triggers()
    for table in added:
        click.echo(table)
    click.secho(tk._("{count} tables got the bigram trigger.").format(count=len(added)),
                fg="green")


def commands() -> list:
    """Added to the core plugin's ``ckan regionaliot`` group (as the kpi plugin does)."""
    regionaliot.add_command(datastore_triggers)
    return []
