"""One module per output syntax (the plugin name is the module name); see :mod:`kg.export`."""
