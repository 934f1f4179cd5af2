"""Render deploy/ckan.ini.template for the portal or for the test suite.

The portal and the tests share one PostgreSQL, Solr and Redis but never their data:
the test profile uses its own databases, Solr core, Redis database and filestore.

Usage: python render_ini.py {portal|test|test-N|bench} OUT_FILE   (settings come from the environment,
see deploy/stack.sh; secrets from $REGIONALIOT_DATA/secrets).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent

PROFILES = {
    # name: (CKAN database, DataStore database, Solr core, Redis db, filestore dir)
    "portal": ("ckan_default", "datastore_default", "ckan", 0, "storage"),
    "test": ("ckan_test", "datastore_test", "ckan_test", 1, "storage-test"),
    # bench/search swaps solr_url between ckan_bench and ckan_bench_stock.
    "bench": ("ckan_bench", "datastore_bench", "ckan_bench", 2, "storage-bench"),
}
# Extra test profiles test-1 … test-9 (`TEST_SLOT=N make test`): several people or agents
# run test files at once on one machine, each against data of its own (Redis dbs 5-13).
for _slot in range(1, 10):
    PROFILES[f"test-{_slot}"] = (f"ckan_test_{_slot}", f"datastore_test_{_slot}",
                                 f"ckan_test_{_slot}", 4 + _slot, f"storage-test-{_slot}")


def secret(data: Path, name: str, default: str | None = None) -> str:
    path = data / "secrets" / name
    if path.is_file():
        return path.read_text().strip()
    if default is not None:
        return default
    sys.exit(f"render_ini: secret {path} is missing (run `make up` or `make services`)")


def render(profile: str) -> str:
    env = os.environ
    data = Path(env.get("REGIONALIOT_DATA", ROOT / "var")).resolve()
    pg = f"{env.get('PG_HOST', '127.0.0.1')}:{env.get('PG_PORT', '5432')}"
    db, datastore_db, core, redis_db, storage = PROFILES[profile]
    writer_pw = secret(data, "db_ckan_password")
    reader_pw = secret(data, "db_datastore_password")
    site_url = env.get("CKAN_SITE_URL", f"http://127.0.0.1:{env.get('CKAN_PORT', '5000')}")
    values = {
        "site_url": site_url,
        # Where background jobs call the API back: inside a compose network that is
        # http://ckan:5000, not the public URL.
        "xloader_site_url": env.get("XLOADER_SITE_URL", site_url),
        "site_id": f"regionaliot-{profile}",
        "secret_key": secret(data, "secret_key"),
        "cookie_secure": env.get("CKAN_COOKIE_SECURE", "false"),
        "sqlalchemy_url": f"postgresql://ckan_default:{writer_pw}@{pg}/{db}",
        "datastore_write_url": f"postgresql://ckan_default:{writer_pw}@{pg}/{datastore_db}",
        "datastore_read_url": f"postgresql://datastore_default:{reader_pw}@{pg}/{datastore_db}",
        "storage_path": str(data / storage),
        "solr_url": f"http://{env.get('SOLR_HOST', '127.0.0.1')}:{env.get('SOLR_PORT', '8983')}/solr/{core}",
        "redis_url": f"redis://{env.get('REDIS_HOST', '127.0.0.1')}:{env.get('REDIS_PORT', '6379')}/{redis_db}",
        "repo_root": str(ROOT),
        # Tests keep their output for failures; the portal logs what it does.
        "log_level": "WARNING" if profile.startswith("test") else "INFO",
        "xloader_api_token": secret(data, f"xloader_token_{profile}", default="NOT_SET"),
        # The map view's background tiles: 国土地理院 on the portal, none where tests and
        # benchmarks run (nothing may reach past 127.0.0.1 there).
        "map_tiles": "" if profile.startswith(("test", "bench")) else env.get(
            "MAP_TILES", "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"),
    }
    template = Template((ROOT / "deploy" / "ckan.ini.template").read_text(encoding="utf-8"))
    return template.substitute(values)


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] not in PROFILES:
        sys.exit("usage: render_ini.py {portal|test|test-1..test-9|bench} OUT_FILE")
    out = Path(sys.argv[2])
    text = render(sys.argv[1])
    # Write atomically and only when changed, so a running server's file is never half-written.
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        tmp = out.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(out)


if __name__ == "__main__":
    main()
