"""GraphQL over a websocket, sub-protocol `graphql-transport-ws` (enisdenjo/graphql-ws
PROTOCOL.md), as Stash's gqlgen server speaks it on `/graphql` (stashapp/stash
internal/api/server.go adds gqlgen's Websocket transport).

connection_init -> connection_ack; ping -> pong; subscribe -> next... (and complete for a
query or mutation); client complete ends a subscription. Errors in a document answer an
`error` message with the GraphQL errors. Protocol violations close the socket with the codes of
the specification: 4400 invalid message, 4401 subscribe before ack, 4409 duplicate id, 4429 a
second connection_init.

Subscriptions with an event source (jobsSubscribe, loggingSubscribe) send one `next` per event,
each event executed through the subscription's own selection; others (scanCompleteSubscribe) are
accepted and stay silent, as in Stash until a scan completes.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLFieldResolver,
    GraphQLSchema,
    OperationType,
    execute_sync,
    get_operation_ast,
    parse,
    validate,
)
from graphql.language import DocumentNode

from .websocket import ConnectionClosed, WebSocket

PROTOCOL = "graphql-transport-ws"
_STOP = object()


class EventSource(NamedTuple):
    subscribe: Callable[[], queue.Queue]
    unsubscribe: Callable[[queue.Queue], None]


class Execution(NamedTuple):
    """How this double runs documents: its schema, resolver and a root for queries."""

    schema: GraphQLSchema
    field_resolver: GraphQLFieldResolver | None
    make_root: Callable[[], Any]
    sources: dict[str, EventSource]


class _Subscription(NamedTuple):
    inbox: queue.Queue
    source: EventSource | None


class GraphQLWebSocketSession:
    def __init__(self, socket: WebSocket, execution: Execution) -> None:
        self._socket = socket
        self._execution = execution
        self._acknowledged = False
        self._active: dict[str, _Subscription] = {}
        self._lock = threading.Lock()

    def run(self) -> None:
        """Serves the socket until it closes."""
        try:
            while not self._socket.closed:
                self._handle(self._socket.receive())
        except ConnectionClosed:
            pass
        finally:
            for sub_id in list(self._active):
                self._end(sub_id)

    def close(self) -> None:
        self._socket.close(1001, "server stopping")

    # --- messages ---------------------------------------------------------------------

    def _handle(self, text: str) -> None:
        try:
            message = json.loads(text)
            kind = message["type"]
        except (ValueError, KeyError, TypeError):
            self._socket.close(4400, "invalid message")
            return
        if kind == "connection_init":
            if self._acknowledged:
                self._socket.close(4429, "Too many initialisation requests")
                return
            self._acknowledged = True
            self._send({"type": "connection_ack"})
        elif kind == "ping":
            self._send({"type": "pong"})
        elif kind == "pong":
            pass
        elif kind == "subscribe":
            self._subscribe(message)
        elif kind == "complete":
            self._end(str(message.get("id")))
        else:
            self._socket.close(4400, f"invalid message type {kind!r}")

    def _subscribe(self, message: dict[str, Any]) -> None:
        if not self._acknowledged:
            self._socket.close(4401, "Unauthorized")
            return
        sub_id, payload = message.get("id"), message.get("payload")
        if not isinstance(sub_id, str) or not isinstance(payload, dict):
            self._socket.close(4400, "invalid subscribe message")
            return
        if sub_id in self._active:
            self._socket.close(4409, f"Subscriber for {sub_id} already exists")
            return
        try:
            document = parse(payload.get("query") or "")
        except GraphQLError as error:
            self._send({"id": sub_id, "type": "error", "payload": [error.formatted]})
            return
        problems = validate(self._execution.schema, document)
        if problems:
            self._send({"id": sub_id, "type": "error",
                        "payload": [e.formatted for e in problems]})
            return
        operation = get_operation_ast(document, payload.get("operationName"))
        if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
            self._single(sub_id, document, payload)
            return
        self._start(sub_id, document, payload, _root_field(operation))

    def _single(self, sub_id: str, document: DocumentNode, payload: dict[str, Any]) -> None:
        execution = self._execution
        result = execute_sync(execution.schema, document, root_value=execution.make_root(),
                              variable_values=payload.get("variables"),
                              operation_name=payload.get("operationName"),
                              field_resolver=execution.field_resolver)
        self._send({"id": sub_id, "type": "next", "payload": result.formatted})
        self._send({"id": sub_id, "type": "complete"})

    # --- subscriptions -----------------------------------------------------------------

    def _start(self, sub_id: str, document: DocumentNode, payload: dict[str, Any],
               field: str) -> None:
        source = self._execution.sources.get(field)
        inbox = source.subscribe() if source else queue.Queue()
        with self._lock:
            self._active[sub_id] = _Subscription(inbox, source)
        threading.Thread(target=self._pump, args=(sub_id, inbox, document, payload, field),
                         name=f"stash-double-ws-{field}", daemon=True).start()

    def _pump(self, sub_id: str, inbox: queue.Queue, document: DocumentNode,
              payload: dict[str, Any], field: str) -> None:
        execution = self._execution
        while (event := inbox.get()) is not _STOP:
            result = execute_sync(execution.schema, document, root_value={field: event},
                                  variable_values=payload.get("variables"),
                                  operation_name=payload.get("operationName"),
                                  field_resolver=execution.field_resolver)
            try:
                self._send({"id": sub_id, "type": "next", "payload": result.formatted})
            except ConnectionClosed:
                return

    def _end(self, sub_id: str) -> None:
        with self._lock:
            subscription = self._active.pop(sub_id, None)
        if subscription is None:
            return
        if subscription.source is not None:
            subscription.source.unsubscribe(subscription.inbox)
        subscription.inbox.put(_STOP)

    def _send(self, message: dict[str, Any]) -> None:
        self._socket.send(json.dumps(message))


def _root_field(operation: Any) -> str:
    selection = operation.selection_set.selections[0]
    return selection.name.value if isinstance(selection, FieldNode) else ""
