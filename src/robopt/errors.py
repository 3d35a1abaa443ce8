"""Exceptions that carry a message a user can act on, instead of a deep traceback."""


class RoboptError(Exception):
    """Base class of every error robopt raises on purpose."""


class UnknownNameError(RoboptError, KeyError):
    """A dataset, model, method or corruption name that is not registered."""

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return str(self.args[0])


class DatasetNotFoundError(RoboptError, FileNotFoundError):
    """The raw files of a dataset are not where the config says they are."""


class DatasetFormatError(RoboptError, ValueError):
    """A dataset file is truncated, corrupt or has an unexpected shape."""


class ConfigError(RoboptError, ValueError):
    """The config is invalid: a key is unknown, misspelled, out of range, or inconsistent with another."""
