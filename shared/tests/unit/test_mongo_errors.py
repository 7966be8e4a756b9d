"""What the MongoDB-protocol adapter makes of the server's errors: a server going away under a command is
unavailable (the API answers 503 and the client tries again), not a fault of the request (500).

A CI run stopped FerretDB under writing clients (tests/faults/test_process_kills.py) and one insert came back
`context canceled` (FerretDB cancels its commands as it stops): the gateway answered 500 where every other write
cut off then answered 503.
"""
from __future__ import annotations

import pytest
from pymongo import errors as perr

from liandong.storage.base import DuplicateKeyError, StorageError, StorageUnavailable
from liandong.storage.mongo import _translate


def _raising(exc: Exception):
    @_translate
    def command():
        raise exc
    return command


@pytest.mark.parametrize("exc", [
    perr.OperationFailure("[msg_insert.go:168 handler.(*Handler).MsgInsert] [db.go:134 fsql.(*DB).InTransaction] "
                          "context canceled", 1, {"ok": 0.0, "codeName": "InternalError"}),
    perr.OperationFailure("interrupted at shutdown", 11600),
    perr.OperationFailure("operation was interrupted", 11601),
    perr.OperationFailure("interrupted due to repl state change", 11602),
    perr.OperationFailure("shutdown in progress", 91),
    perr.ServerSelectionTimeoutError("no servers"),
    perr.AutoReconnect("connection closed"),
], ids=["ferretdb stopping", "shutdown", "interrupted", "repl state change", "shutdown in progress",
        "no server", "connection closed"])
def test_a_server_going_away_under_a_command_is_unavailable(exc):
    with pytest.raises(StorageUnavailable):
        _raising(exc)()


@pytest.mark.parametrize("exc, kind", [
    (perr.OperationFailure("unknown operator: $foo", 2), StorageError),
    (perr.OperationFailure("document too large", 10334), StorageError),
    (perr.DuplicateKeyError("E11000 duplicate key", 11000), DuplicateKeyError),
])
def test_a_fault_of_the_command_itself_is_not_called_unavailable(exc, kind):
    with pytest.raises(kind) as raised:
        _raising(exc)()
    assert not isinstance(raised.value, StorageUnavailable)
