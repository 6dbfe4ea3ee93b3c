"""The one exception users see: bad input, reported as one line by the CLI."""


class ExplorerError(ValueError):
    """Bad input (unknown name, wrong unit, value out of its domain, unreadable file).

    The message is a single line that names the offending thing and its value.
    """
