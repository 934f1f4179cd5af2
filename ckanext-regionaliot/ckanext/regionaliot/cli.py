"""``ckan regionaliot ...`` commands."""
from __future__ import annotations

import click


@click.group(short_help="高梁川流域 portal commands")
def regionaliot():
    """Commands of the regionaliot extension."""


def get_commands():
    return [regionaliot]
