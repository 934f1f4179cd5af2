"""MQTT connection settings of the feeds (the ingestor, the simulator, the benchmark).

The broker is Mosquitto on 127.0.0.1 started by deploy/stack.sh, with a password file
made from $REGIONALIOT_DATA/secrets/mqtt_<user> (no anonymous clients).
"""
from __future__ import annotations

import os
from pathlib import Path

import paho.mqtt.client as paho

from ckanext.regionaliot.lib import config

PREFIX_KEY = "ckanext.regionaliot.feeds.topic_prefix"


def password(user: str) -> str:
    """The configured password of ``user``, else the stack's secret file."""
    value = config.get_str(f"ckanext.regionaliot.feeds.mqtt_password_{user}")
    if value:
        return value
    data = Path(os.environ.get("REGIONALIOT_DATA") or Path(__file__).resolve().parents[4] / "var")
    path = data / "secrets" / f"mqtt_{user}"
    return path.read_text().strip() if path.is_file() else ""


def client(user: str, client_id: str, clean_session: bool = True) -> paho.Client:
    """A connected-on-demand paho client for ``user`` (connect with ``connect(c)``)."""
    mqtt = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id,
                       clean_session=clean_session, protocol=paho.MQTTv311,
                       manual_ack=not clean_session)
    mqtt.username_pw_set(user, password(user))
    return mqtt


def connect(mqtt: paho.Client) -> None:
    mqtt.connect(config.get_str("ckanext.regionaliot.feeds.mqtt_host"),
                 config.get_int("ckanext.regionaliot.feeds.mqtt_port"), keepalive=30)


def prefix() -> str:
    return config.get_str(PREFIX_KEY).rstrip("/")


def forget_session(user: str, client_id: str) -> None:
    """Drop the broker's persistent session of ``client_id`` (tests, benchmarks, a retired
    ingestor): connecting once with a clean session erases its subscriptions and queue."""
    mqtt = client(user, client_id, clean_session=True)
    connect(mqtt)
    mqtt.loop_start()
    mqtt.disconnect()
    mqtt.loop_stop()
