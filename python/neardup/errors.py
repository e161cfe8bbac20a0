"""neardup's exceptions: one class per Status code of the C++ library.

Every exception neardup raises for an expected failure is a :class:`neardup.Error` carrying
``message`` (names the file and the reason, e.g. ``"a.jpg: truncated JPEG data"``) and ``code``
(the Status code's name, e.g. ``"corrupt data"``). Each class also derives from the built-in
exception a Python user would catch for it, so ``except ValueError`` works for a bad argument.
"""


class Error(Exception):
    """Base class: ``message`` and ``code`` as the C++ Status had them."""

    def __init__(self, message, code="unknown"):
        super().__init__(message)
        self.message = message
        self.code = code


class InvalidArgumentError(Error, ValueError):
    """A bad argument or option, or a file that is not an image."""


class NotFoundError(Error, LookupError):
    """A path, method or key that does not exist."""


class IOError(Error, OSError):  # noqa: A001 - the library's own name for the code
    """The operating system refused: open, read, write, permission."""


class CorruptionError(Error, ValueError):
    """Data that parses only partly: a truncated JPEG, a damaged index row."""


class ResourceExhaustedError(Error, RuntimeError):
    """A limit was hit: the pixel limit (decompression bomb), memory."""


class UnimplementedError(Error, NotImplementedError):
    """A format or method this build does not support."""


_BY_CODE = {
    "invalid argument": InvalidArgumentError,
    "not found": NotFoundError,
    "I/O error": IOError,
    "corrupt data": CorruptionError,
    "resource exhausted": ResourceExhaustedError,
    "unsupported": UnimplementedError,
}


def error_class(code):
    """The class for a Status code name (used by the compiled module)."""
    return _BY_CODE.get(code, Error)
