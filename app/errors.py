"""Errors the companion reports to a person, each with the exit code the CLI gives it."""


class WiseError(Exception):
    """Something went wrong that is not the user's input; exit code 1."""

    exit_code = 1


class BadInput(WiseError):
    """The user's input or usage cannot be accepted; exit code 2."""

    exit_code = 2
