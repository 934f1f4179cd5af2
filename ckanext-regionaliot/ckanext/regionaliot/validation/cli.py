"""``ckan regionaliot validate-all`` and ``validate-stale`` (added to the core plugin's
group: hooks.commands() imports this module for validate-all)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import click


@click.command("validate-all",
               short_help="Validate every resource of a standard dataset that needs it")
@click.option("--force", is_flag=True, help="Validate unchanged files again too.")
@click.pass_context
def validate_all(ctx: click.Context, force: bool):
    """Bring every resource's validation up to date (e.g. files uploaded before the
    validator existed). Unchanged files are skipped unless --force; files above the
    synchronous size limit, and links, are queued for the jobs worker."""
    from ckan import model

    from . import jobs, records

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
                outcome = records.ensure(resource, package, force=force)
                if outcome.needs_job:
                    jobs.enqueue_after_commit(outcome.record)
                counts["validated" if outcome.record is not None else "skipped"] += 1
                touched = touched or outcome.record is not None
            model.Session.commit()
            if touched:
                records.reindex(package_id)
    click.secho(tk._("Validation brought up to date: {validated} resources checked, "
                     "{skipped} not of a standard schema.").format(**counts), fg="green")


@click.command("validate-stale",
               short_help="Queue again, or fail, validations whose background job died")
@click.pass_context
def validate_stale(ctx: click.Context):
    """Recover validations left pending or running by a job that died (kill -9 of the
    work-horse or the worker, out of memory): each is queued once more, and a second
    death marks it as an error. deploy/stack.sh runs this before the jobs worker starts."""
    from . import jobs

    with ctx.meta["flask_app"].test_request_context():
        counts = jobs.recover_stale()
    click.secho(tk._("Stale validations: {requeued} queued again, {failed} marked as "
                     "errors.").format(**counts), fg="yellow" if any(counts.values()) else "green")


def _join_the_group() -> None:
    from ckanext.regionaliot.cli import regionaliot

    regionaliot.add_command(validate_stale)


_join_the_group()
