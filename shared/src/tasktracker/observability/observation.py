"""One request's observation: its id, its access line and its metrics, from start to finish.

Each variant creates one where its framework lets it see a request start (middleware, hook,
tool, plugin) and finishes it where the framework knows the response status.
"""

from __future__ import annotations

import time

from tasktracker.observability import metrics
from tasktracker.observability.logging import (
    accept_request_id,
    bind_request_id,
    bind_user_id,
    current_user_id,
    log_access,
    unbind_request_id,
)


class RequestObservation:
    def __init__(self, method: str, path: str, incoming_request_id: str | None) -> None:
        self.method = method
        self.path = path
        self.request_id = accept_request_id(incoming_request_id)
        self._token = bind_request_id(self.request_id)
        # Anonymous until the variant's authentication binds the token's user.
        bind_user_id(None)
        self._started = time.perf_counter()
        self._finished = False

    def finish(self, route: str, status: int) -> None:
        """Count and log the request once, whatever path the response took."""
        if self._finished:
            return
        self._finished = True
        duration = time.perf_counter() - self._started
        metrics.observe_request(self.method, route, status, duration)
        log_access(
            method=self.method,
            path=self.path,
            route=route,
            status=status,
            duration_ms=duration * 1000,
            user_id=current_user_id(),
        )
        bind_user_id(None)
        unbind_request_id(self._token)
