"""``regionaliot_security``: what the portal promises about the parts it runs (SECURITY.md).

Server-side fetches of user-supplied URLs go through one guard (ssrf.py), every response
carries security headers and uploads cannot run script (headers.py), logins are throttled
(throttle.py), and malformed requests get a 4xx instead of a 500 (guards.py). The stock
extensions we run (xloader, harvest, datastore, activity) are covered here, not patched.
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk


@tk.blanket.config_declarations
@tk.blanket.actions
@tk.blanket.blueprints
class RegionalIoTSecurityPlugin(p.SingletonPlugin):
    pass
