"""``regionaliot_security``: what the portal promises about the parts it runs (SECURITY.md).

Server-side fetches of user-supplied URLs go through one guard (ssrf.py), every response
carries security headers and uploads cannot run script (headers.py), logins are throttled
(throttle.py), and malformed requests get a 4xx instead of a 500 (guards.py). The stock
extensions we run (xloader, harvest, datastore, activity) are covered here, not patched.
"""
from __future__ import annotations

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from ckanext.xloader.interfaces import IXloader

from . import ssrf, throttle


@tk.blanket.config_declarations
@tk.blanket.actions
@tk.blanket.blueprints
# DefaultTranslation: its own catalogue, i18n/<lang>/LC_MESSAGES/ckanext-regionaliot_security.po.
class RegionalIoTSecurityPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.ITranslation, inherit=True)
    p.implements(p.IConfigurer)
    p.implements(p.IAuthenticator, inherit=True)
    p.implements(p.ISignal)
    p.implements(p.IConfigurable, inherit=True)
    p.implements(IXloader, inherit=True)

    # IConfigurer: templates/ overrides harvest's source admin page (POST-only actions).
    def update_config(self, config):
        tk.add_template_directory(config, "templates")

    # IAuthenticator: a locked login name or address gets 429 before any password check.
    def login(self):
        return throttle.check_login()

    # ISignal: failed logins are counted, a successful one forgets the name's failures.
    def get_signal_subscriptions(self):
        return throttle.signal_subscriptions()

    # IConfigurable (web, `ckan jobs worker` and its work-horses): xloader's downloads go
    # through the fetch guard (ssrf.py); an xloader that no longer fits stops the start.
    def configure(self, config):
        if p.plugin_loaded("xloader"):
            ssrf.install_xloader_guard()

    # IXloader: a link the guard would refuse is not even submitted.
    def can_upload(self, resource_id):
        return ssrf.can_upload(resource_id)
