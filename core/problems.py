"""Mistakes in how Red Armband is set up or run, told in a line or two.

An :class:`OperatorError` says what is wrong and how to put it right, naming
the file, folder, setting or command concerned. The ``redarmband`` command
prints it without a traceback and exits non-zero; the app refuses to start on
it. Anything else that goes wrong is a bug and keeps its traceback.
"""


class OperatorError(Exception):
    """A set-up mistake an operator can fix; ``str()`` is the whole message."""
