"""A server started on a socket bound beforehand keeps Nagle's algorithm off.

`tap serve` binds the Data Agent's socket first (so its port is known before anything is
built), then serves it from a thread. Handed to uvicorn as a file descriptor, the socket was
taken for a Unix one, asyncio left Nagle's algorithm on for every connection, and each answer
(its head and body written apart) waited for the client's delayed ACK: 40 ms for every MCP
call on loopback, most of a chat turn. What is checked here is the socket option itself.
"""

from __future__ import annotations

import http.client
import socket

from entrypoints.cli import _data_agent_in_thread, _listening
from infra.container import Container


def test_the_data_agent_beside_the_site_answers_with_nagle_off(container: Container) -> None:
    with (
        _listening("127.0.0.1", 0) as listener,
        _data_agent_in_thread(container, listener) as server,
    ):
        client = http.client.HTTPConnection("127.0.0.1", listener.getsockname()[1], timeout=10)
        try:
            client.request("GET", "/health")
            response = client.getresponse()
            response.read()
            # Still open (keep-alive): the server's side of it is in its connection set.
            nodelay = [
                c.transport.get_extra_info("socket").getsockopt(
                    socket.IPPROTO_TCP, socket.TCP_NODELAY
                )
                for c in server.server_state.connections
            ]
        finally:
            client.close()

    assert response.status == 200
    assert nodelay
    assert all(nodelay)
