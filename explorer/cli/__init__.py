"""The ``explorer`` command line: one module per subcommand; its docstring is its help."""
