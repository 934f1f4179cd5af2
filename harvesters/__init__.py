"""Harvesters for municipalities' catalogues, installed as ``regionaliot.harvesters``."""
