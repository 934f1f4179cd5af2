"""``ckan regionaliot ...`` commands."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

# CKAN's blanket cli registers exactly these click commands (a plain get_commands()
# function would itself be taken for a command). Feature plugins add their subcommands
# to this group (validation: validate-all).
__all__ = ["regionaliot"]


@click.group(short_help="高梁川流域 portal commands")
def regionaliot():
    """Commands of the regionaliot extension."""


@regionaliot.command(short_help="Load the members, the 17 分類 groups and demo datasets")
@click.option("--demo/--no-demo", default=True, show_default=True,
              help="Also load the demo datasets (tag 'demo'); --no-demo loads only "
                   "organizations and groups.")
@click.pass_context
def seed(ctx: click.Context, demo: bool):
    """Create or update the consortium's organizations and groups (and demo datasets).

    Idempotent: running it again updates in place and creates nothing twice.
    """
    from ckanext.regionaliot import seed as content

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    # Dictization checks the current user's rights, which needs a request context.
    with ctx.meta["flask_app"].test_request_context():
        try:
            changes = content.run(site_user["name"], demo=demo, echo=click.echo)
        except content.SeedError as e:
            raise click.ClickException(str(e)) from e
        except tk.ValidationError as e:
            raise click.ClickException(str(e.error_summary or e.error_dict)) from e
        counts = {a: sum(1 for c in changes if c.action == a)
                  for a in ("created", "updated", "unchanged")}
        click.secho(
            tk._("Seed finished: {created} created, {updated} updated, "
                 "{unchanged} unchanged.").format(**counts),
            fg="green",
        )
