"""The gateway side of the settings contract, read from the installed gateway release.

Input (stdin, JSON): {"settings": [names], "plugins_file": path}. Output (stdout, JSON):
  unknown       setting names no part of the release reads
  plugins       names of the plugins the release loaded from the file
  plugin_errors what kept a plugin from loading
Every setting the stack writes must be one of:
  - a field of the gateway's settings (mcpgateway.config.Settings, names matched case-insensitively),
  - a field of the plugin framework's settings (cpex PluginsSettings, with its PLUGINS_ prefix),
  - GUNICORN_<name> for a Gunicorn setting (the image's start script turns them into Gunicorn arguments),
  - an environment variable of libpq, which the gateway's Postgres driver (psycopg) connects through: the password
    reaches it as PGPASSWORD, since the kubelet cannot percent-encode it into DATABASE_URL.
"""
import asyncio
import json
import sys

from cpex.framework.manager import PluginManager
from cpex.framework.settings import PluginsSettings
from gunicorn.config import KNOWN_SETTINGS
from mcpgateway.config import Settings
from psycopg import pq


def env_names(model, prefix=""):
    names = set()
    for name, field in model.model_fields.items():
        names.add((prefix + name).upper())
        alias = field.validation_alias or field.alias
        if isinstance(alias, str):
            names.add(alias.upper())
    return names


def main():
    request = json.load(sys.stdin)
    known = env_names(Settings) | env_names(PluginsSettings, "PLUGINS_")
    known |= {f"GUNICORN_{s.name.upper()}" for s in KNOWN_SETTINGS}
    known |= {o.envvar.decode() for o in pq.Conninfo.get_defaults() if o.envvar}
    unknown = sorted(n for n in request["settings"] if n.upper() not in known)

    plugins, errors = [], []
    try:
        manager = PluginManager(request["plugins_file"])
        asyncio.run(manager.initialize())
        plugins = sorted(p.name for p in manager.config.plugins if manager.get_plugin(p.name) is not None)
    except Exception as error:  # reported, so the test shows the release's own reason
        errors.append(f"{type(error).__name__}: {error}")
    print(json.dumps({"unknown": unknown, "plugins": plugins, "plugin_errors": errors}))


if __name__ == "__main__":
    main()
