"""One request's observation as WSGI middleware, for frameworks without a hook that sees the end.

The request is observed until the server has the complete response: the server closes the
response iterable once it has sent the body (PEP 3333), and that is when the access line is
written and the duration ends (spec 6.3). The ``X-Request-ID`` header goes on every response.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from tasktracker.http import route_template_for_path
from tasktracker.observability.logging import REQUEST_ID_HEADER
from tasktracker.observability.observation import RequestObservation

Environ = dict[str, Any]


def decoded_path(path_info: str) -> str:
    """PATH_INFO as text: WSGI hands it over as latin-1; bytes that are not UTF-8 become U+FFFD."""
    return path_info.encode("latin-1").decode("utf-8", "replace") or "/"


def route_from_path(environ: Environ, path: str) -> str:
    """The route label for routers that do not name the rule they matched (object dispatch)."""
    return route_template_for_path(path)


class ObservedBody:
    """The response iterable, handed on; closing it closes the wrapped one, then ``finish``es."""

    def __init__(self, body: Iterable[bytes], finish: Callable[[], None]) -> None:
        self.body = body
        self.finish = finish

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.body)

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.finish()


class RequestObservationMiddleware:
    """Wraps the whole application. ``route_for(environ, path)`` names the route once the app has
    run (a router may leave the matched rule in the environ); by default, from the path."""

    def __init__(
        self, app: Callable[..., Iterable[bytes]], route_for: Callable[[Environ, str], str] = route_from_path
    ) -> None:
        self.app = app
        self.route_for = route_for

    def __call__(self, environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
        # Read before the framework runs: some (Bottle) replace PATH_INFO with their own decoding.
        path = decoded_path(environ.get("PATH_INFO", ""))
        observation = RequestObservation(environ["REQUEST_METHOD"], path, environ.get("HTTP_X_REQUEST_ID"))
        statuses: list[int] = []

        def start_observed_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            statuses.append(int(status.split(" ", 1)[0]))
            return start_response(status, [*headers, (REQUEST_ID_HEADER, observation.request_id)], exc_info)

        try:
            body = self.app(environ, start_observed_response)
        except BaseException:
            # The framework answers every failure itself; what escapes it, the server answers 500.
            observation.finish(self.route_for(environ, path), 500)
            raise
        return ObservedBody(
            body, lambda: observation.finish(self.route_for(environ, path), statuses[-1] if statuses else 500)
        )
