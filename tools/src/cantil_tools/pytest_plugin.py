"""pytest plugin of cantil-tools: fixtures channel_factory, channel_server, sample_channel, run_cantil."""
