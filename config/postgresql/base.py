"""Django's PostgreSQL backend, with a connection health check that costs no round trip.

settings.py names this package as the ENGINE of a PostgreSQL DATABASE_URL.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        """Whether the persistent connection still reaches the server (CONN_HEALTH_CHECKS, once per request).

        Django's own check sends `SELECT 1`: a round trip and its CPU on every request, a fair share of a
        short API list on PostgreSQL. Between requests the connection is idle and the server has nothing
        to say, except when it ends the session (a restart, pg_terminate_backend, idle_session_timeout):
        then it sends an error and closes the socket, which makes the socket readable. So an idle socket
        with nothing to read is taken as usable, and one that has something to read (that, or a rarer
        notice or notification) gets Django's full check. A server that vanished without closing the
        socket is not detected here, as it is not by `SELECT 1`, which would wait on it.
        """
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != TransactionStatus.IDLE:
            return super().is_usable()
        poller = select.poll()
        try:
            poller.register(connection.fileno(), select.POLLIN)
            events = poller.poll(0)
        except (OSError, ValueError):
            return False
        return not events or super().is_usable()
