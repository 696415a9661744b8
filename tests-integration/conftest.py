"""The integration harness: cantil-tools' pytest plugin gives every test here

- `channel_factory(descriptions, **index_options) -> Path`: real packages built and indexed in a temp folder;
- `channel_server(path, token=None, auth=None) -> ChannelServer`: that folder over HTTP on 127.0.0.1 (port 0), with
  `.url`, `.log` and `.fault(path, kind, times)`; stopped after the test;
- `sample_channel` (session) and `sample_channel_copy`: the bundled sample ecosystem;
- `run_cantil(*args, env=None, input=None) -> CompletedProcess`: the real `cantil` command in a subprocess with an
  isolated HOME, CONDARC, CANTIL_ROOT_PREFIX and CONDA_PKGS_DIRS.

The plugin is normally loaded through its `pytest11` entry point; it is registered here when plugin autoloading is
off (PYTEST_DISABLE_PLUGIN_AUTOLOAD), so the suite never runs without it.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("cantil_tools"):
        import cantil_tools.pytest_plugin as plugin

        if not config.pluginmanager.is_registered(plugin):
            config.pluginmanager.register(plugin, "cantil_tools")
