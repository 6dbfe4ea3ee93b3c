"""The one exception users see: bad input, reported as one line by the CLI."""


class ExplorerError(ValueError):
    """Bad input (unknown name, wrong unit, value out of its domain, unreadable file).

    The message is a single line that names the offending thing and its value.
    """


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep. ``checkpoint`` is the checkpoint that a ``--resume`` would
    continue from (just saved, or kept from before), or None if there is none."""

    def __init__(self, checkpoint=None):
        super().__init__()
        self.checkpoint = checkpoint


def warn(message: str, command: str = "explorer") -> None:
    """Prints a one-line warning on stderr (``explorer: warning: …``): something the user asked
    for is ignored, or a result cannot answer what it is asked."""
    import sys

    print(f"{command}: warning: {message}", file=sys.stderr)
