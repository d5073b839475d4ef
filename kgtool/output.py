"""Writing into the files and folders a user names, with errors that name them and say why.

Every command that writes (`export`, `docs`, `draw`, `synth`, `release`) goes through here, so
a missing folder, a file where a folder should be, or a refused permission is reported as an
`OutputError` naming the path, never as a bare `FileNotFoundError`. What those files hold from
a template is filled by `template`, Jinja2, the one template engine of kgtool.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import TYPE_CHECKING

from kgtool.errors import OutputError

if TYPE_CHECKING:
    import jinja2


def failure(path: str | Path, error: OSError) -> OutputError:
    """The `OutputError` for an `OSError` met while writing `path`."""
    where = Path(path)
    if isinstance(error, FileNotFoundError):
        reason = f"cannot write it: there is no folder {where.parent}"
    elif isinstance(error, IsADirectoryError):
        reason = "cannot write it: it is a folder; give a file name"
    elif isinstance(error, NotADirectoryError) or error.errno == errno.EEXIST:
        reason = "cannot make the folder: a file of that name is in the way"
    elif isinstance(error, PermissionError):
        reason = "cannot write it: permission denied"
    else:
        reason = f"cannot write it: {error.strerror or error}"
    return OutputError(reason, source=str(path))


def folder(path: str | Path) -> Path:
    """The folder `path`, made with its parents if need be."""
    made = Path(path)
    try:
        made.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise failure(path, error) from None
    if not made.is_dir():
        raise failure(path, FileExistsError(errno.EEXIST, "exists"))
    return made


def write_text(path: str | Path, text: str) -> Path:
    """Write `text` (UTF-8) to the file `path`, whose folder must exist."""
    return write_bytes(path, text.encode("utf-8"))


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write `data` to the file `path`, whose folder must exist."""
    target = Path(path)
    try:
        target.write_bytes(data)
    except OSError as error:
        raise failure(path, error) from None
    return target


def template(text: str) -> jinja2.Template:
    """A Jinja2 template (kgtool's one template engine) for text that is not HTML escaped by
    Jinja2 itself: the values given are already in the target syntax (escaped HTML, Turtle
    terms). A name the template uses but the caller does not give is an error, never blank."""
    import jinja2

    environment = jinja2.Environment(
        autoescape=False, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    return environment.from_string(text)
