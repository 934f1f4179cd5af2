"""``ckan regionaliot ...`` commands."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

# CKAN's blanket cli registers exactly these click commands (a plain get_commands()
# function would itself be taken for a command).
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


@regionaliot.command("validate-all",
                     short_help="Validate every resource of a standard dataset that needs it")
@click.option("--force", is_flag=True, help="Validate unchanged files again too.")
@click.pass_context
def validate_all(ctx: click.Context, force: bool):
    """Bring every resource's validation up to date (e.g. files uploaded before the
    validator existed). Unchanged files are skipped unless --force; files above the
    synchronous size limit are queued for the jobs worker."""
    from ckan import model

    from ckanext.regionaliot import resource_validation

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"], "ignore_auth": True}
    ids = [row[0] for row in model.Session.query(model.Package.id)
           .filter(model.Package.state == "active")]
    counts = {"validated": 0, "skipped": 0}
    with ctx.meta["flask_app"].test_request_context():
        for package_id in ids:
            package = tk.get_action("package_show")(dict(context), {"id": package_id})
            touched = False
            for resource in package.get("resources", []):
                record = resource_validation.ensure(resource, package, force=force)
                counts["validated" if record is not None else "skipped"] += 1
                touched = touched or record is not None
            model.Session.commit()
            if touched:
                resource_validation.reindex(package_id)
    click.secho(tk._("Validation brought up to date: {validated} resources checked, "
                     "{skipped} not of a standard schema.").format(**counts), fg="green")
