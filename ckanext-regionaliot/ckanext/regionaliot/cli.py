"""``ckan regionaliot ...`` commands."""
from __future__ import annotations

import click

# CKAN's blanket cli registers exactly these click commands.
__all__ = ["regionaliot"]


@click.group(short_help="高梁川流域 portal commands")
def regionaliot():
    """Commands of the regionaliot extension."""

