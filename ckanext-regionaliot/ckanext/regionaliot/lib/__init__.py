"""Helpers shared by the feature plugins: safe fetching, typed settings, i18n markers.

Nothing here registers anything with CKAN; a feature imports what it needs.
"""
