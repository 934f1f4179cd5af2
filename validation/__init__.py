"""Validation of municipal open-data files against Japan's standard datasets.

Installed as ``regionaliot.validation``; imports nothing from CKAN so it can be
used from the command line, in tests, and inside the portal alike.
"""
