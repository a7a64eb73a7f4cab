"""Keel's exceptions.

Every error Keel raises is a ``KeelError``; its class says what went wrong (the code of the
C++ ``keel::Status`` it comes from, in ``.code``) and also derives from the built-in exception a
Python user would catch: ``ValueError`` for bad values, ``FileNotFoundError`` for a missing file,
``KeyError`` for a missing column, ``OSError`` for other I/O failures.
"""


class KeelError(Exception):
    """Base of every error raised by Keel."""

    code = "unknown"


class InvalidArgumentError(KeelError, ValueError):
    code = "invalid argument"


class NotFoundError(KeelError, LookupError):
    code = "not found"


class MissingFileError(NotFoundError, FileNotFoundError):
    """A file that does not exist (a model, a data file)."""

    code = "not found"


class MissingColumnError(NotFoundError, KeyError):
    """A column the model needs is not in the data."""

    code = "not found"

    def __str__(self):  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class IoError(KeelError, OSError):
    code = "I/O error"


class ParseError(KeelError, ValueError):
    code = "parse error"


class CorruptError(KeelError, ValueError):
    """A damaged or truncated model file."""

    code = "corrupt"


class UnsupportedError(KeelError):
    code = "unsupported"


class FailedPreconditionError(KeelError):
    code = "failed precondition"


class OutOfRangeError(KeelError, ValueError):
    code = "out of range"


class ResourceExhaustedError(KeelError):
    code = "resource exhausted"


class AlreadyExistsError(KeelError):
    code = "already exists"


class UnavailableError(KeelError):
    code = "unavailable"


class CancelledError(KeelError):
    code = "cancelled"


class InternalError(KeelError, RuntimeError):
    code = "internal error"


_BY_NAME = {
    cls.code: cls
    for cls in (InvalidArgumentError, NotFoundError, IoError, ParseError, CorruptError,
                UnsupportedError, FailedPreconditionError, OutOfRangeError,
                ResourceExhaustedError, AlreadyExistsError, UnavailableError, CancelledError,
                InternalError)
}
_BY_NAME["missing file"] = MissingFileError
_BY_NAME["missing column"] = MissingColumnError


def error_class(name):
    """The class for a status code name (keel::StatusCodeName); the native module calls it."""
    return _BY_NAME.get(name, KeelError)
