"""``ckan regionaliot ideas-seed``: the demo ideas alone (added to the core plugin's command
group by plugin.py). ``ckan regionaliot seed`` loads them too, with the demo datasets they
point to. Idempotent: an idea whose title exists is skipped."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from ckanext.regionaliot import seed

from . import demo


@click.command("ideas-seed", short_help="Load demo ideas into the idea box")
def ideas_seed():
    """Post the demo ideas with their votes, comments and staff replies."""
    created = sum(1 for _title, action in demo.load(seed.demo_ideas()) if action == "created")
    click.secho(tk._("Demo ideas: {n} created.").format(n=created), fg="green")
