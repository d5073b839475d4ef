"""One exception hierarchy: everything kgtool reports to a user is a `KgtoolError`.

Messages are written for the person who has to fix the input, so each names the file, line,
query or parameter at fault.
"""

from __future__ import annotations

from collections.abc import Sequence


def _where(source: str | None, line: int | None, column: int | None) -> str:
    """`file:line:column: ` prefix, as compilers print it, for whatever parts are known."""
    parts = [str(part) for part in (source, line, column) if part is not None]
    return ":".join(parts) + ": " if parts else ""


class KgtoolError(Exception):
    """Base of every error kgtool raises on purpose; `str(error)` is the message for a user."""


class LocatedError(KgtoolError):
    """An error in a file or text, whose message starts with where it is: `source:line:column: `."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.source = source
        self.line = line
        self.column = column
        self.reason = message
        super().__init__(_where(source, line, column) + message)


class DataError(LocatedError):
    """An RDF file is missing or malformed; the message names the file, line and column."""


class OutputError(LocatedError):
    """A file or folder to write cannot be written; the message names it and says why."""


class MissingExtra(KgtoolError):
    """A command needs packages of an optional extra that is not installed."""

    def __init__(self, command: str, extra: str, module: str) -> None:
        self.extra = extra
        self.module = module
        super().__init__(
            f"{command} needs kgtool's {extra} extra (the module {module!r} is missing): "
            f"pip install 'kgtool[{extra}]'"
        )


class QueryError(LocatedError):
    """A query is malformed or cannot run; the message names the query and the position."""


class ResultTooLarge(KgtoolError):
    """A query's answer has more rows, triples or bytes (`unit`) than the caller allows."""

    def __init__(self, limit: int, unit: str) -> None:
        self.limit = limit
        self.unit = unit
        more = "is larger than" if unit == "bytes" else "has more than"
        super().__init__(f"the result {more} {limit} {unit}")


class UnknownQuery(KgtoolError):
    """No named query, query file or SPARQL text matches what was asked for."""

    def __init__(self, name: str, suggestions: Sequence[str] = ()) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown query {name!r}{hint} (`kgtool queries` lists them)")


class ParameterError(KgtoolError):
    """A query parameter is unknown, missing or of the wrong kind."""

    def __init__(self, message: str, *, query: str, parameter: str | None = None) -> None:
        self.query = query
        self.parameter = parameter
        super().__init__(f"query {query}: {message}")


class UnknownEntity(KgtoolError):
    """No entity has this IRI, label or alias; `.suggestions` holds the closest labels."""

    def __init__(self, text: str, suggestions: Sequence[str] = (), *, context: str = "") -> None:
        self.text = text
        self.suggestions = tuple(suggestions)
        hint = f"; did you mean {', '.join(map(repr, self.suggestions))}?" if suggestions else ""
        where = f" ({context})" if context else ""
        super().__init__(f"no entity is called {text!r}{where}{hint}")


class AmbiguousEntity(KgtoolError):
    """Several entities share this label; `.candidates` lists their IRIs and labels."""

    def __init__(
        self, text: str, candidates: Sequence[tuple[str, str]], *, context: str = ""
    ) -> None:
        self.text = text
        self.candidates = tuple(candidates)
        listed = "; ".join(f"{label} <{iri}>" for iri, label in self.candidates)
        where = f" ({context})" if context else ""
        super().__init__(f"{text!r} names several entities{where}: {listed}; give the IRI")


class ValidationError(KgtoolError):
    """SHACL validation could not run (as opposed to data that does not conform)."""


class ReasoningUnavailable(KgtoolError):
    """The OWL checks cannot run here: Java, JPype or the OWL API and HermiT jars are missing."""


class RemoteError(KgtoolError):
    """A remote SPARQL store was unreachable or refused a request; the message names the URL."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None) -> None:
        self.url = url
        self.status = status
        self.reason = message
        super().__init__(f"{url}: {message}" if url else message)


class EndpointUnavailable(RemoteError):
    """Nothing answered (refused, timed out, 502/503) even after the retries."""


class NotAnEndpoint(RemoteError):
    """The URL answers, but not as a SPARQL endpoint (an HTML page, a 404, a refused method)."""


class AuthenticationFailed(RemoteError):
    """The store wants credentials, or refused the ones given (HTTP 401 or 403)."""


class RemoteRejected(RemoteError):
    """The store refused a query or update it received, for instance a construct it lacks."""


class PushFailed(RemoteError):
    """A push stopped; `previous_intact` says whether the graph it was to replace is untouched."""

    def __init__(self, message: str, *, url: str | None = None, previous_intact: bool) -> None:
        self.previous_intact = previous_intact
        super().__init__(message, url=url)


class GraphvizUnavailable(KgtoolError):
    """Graphviz's `dot` program, which lays the pictures out, is not installed."""

    def __init__(self) -> None:
        super().__init__(
            "drawing needs Graphviz's `dot` program: apt-get install graphviz fonts-noto-cjk"
            " (Debian, Ubuntu) or brew install graphviz"
        )
