"""Checking that a server can listen where it is told to, before anything is written."""

import socket

from ..problems import OperatorError


def refuse_busy_address(host, port, option="--port"):
    """Raise :class:`OperatorError` if ``host:port`` cannot be listened on now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers themselves do
        try:
            probe.bind((host, port))
        except OSError as error:
            reason = error.strerror or str(error)
            raise OperatorError(
                f"cannot listen on {host}:{port}: {reason} (is another server running there?); choose another with {option}"
            ) from error
