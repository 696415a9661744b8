"""cantil_tools: dev-only helpers (package builder, channel indexer, test server, pytest plugin)."""
