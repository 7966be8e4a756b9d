"""Every service database on MongoDB/FerretDB is dumped and restored with its documents and indexes."""
from liandong import backup
from liandong.config import SERVICES
from liandong.storage import DuplicateKeyError, open_database

import pytest


def test_backup_destroy_restore_on_ferretdb(make_settings, tmp_path):
    settings = make_settings(store="mongo")
    dbs = {svc: open_database(settings.for_service(svc)) for svc in SERVICES}
    try:
        cases = dbs["petition"].collection("petitions")
        cases.create_index([("id_number", 1)], unique=True, name="id_number_unique")
        cases.insert_many([{"_id": f"p{i}", "org_path": "/chuanying/huangqi/jiayuan/", "id_number": f"n{i}",
                            "headcount": 40 if i == 0 else 1, "amount_fen": 47190600, "tags": ["group"]}
                           for i in range(25)])
        dbs["welfare"].collection("ledger").insert_one({"_id": "e1", "fen": 12345})
        taken = backup.backup(settings, tmp_path / "b")
        assert taken["databases"][f"{settings.database_prefix}_petition"]["petitions"] == 25
        for db in dbs.values():
            db.drop()  # destroy
        assert cases.count_documents({}) == 0
        backup.restore(settings, tmp_path / "b")
        assert cases.count_documents({}) == 25
        assert cases.find_one({"_id": "p0"}) == {"_id": "p0", "org_path": "/chuanying/huangqi/jiayuan/",
                                                  "id_number": "n0", "headcount": 40, "amount_fen": 47190600,
                                                  "tags": ["group"]}
        assert dbs["welfare"].collection("ledger").find_one({"_id": "e1"})["fen"] == 12345
        with pytest.raises(DuplicateKeyError):  # the unique index came back too
            cases.insert_one({"_id": "x", "id_number": "n3"})
    finally:
        for db in dbs.values():
            db.drop()


def test_a_backup_on_ferretdb_with_the_embedded_event_log_takes_and_restores_the_log_too(make_settings, tmp_path):
    """MongoDB for the services' data, the SQLite event log for the events (`LIANDONG_STORE=mongo`, embedded
    bus): the log is data too; without it a restore gives databases whose events are gone."""
    import shutil

    from liandong.bus import open_bus

    settings = make_settings(store="mongo", bus="embedded")
    db = open_database(settings.for_service("petition"))
    try:
        db.collection("petitions").insert_one({"_id": "p1"})
        bus = open_bus(settings)
        bus.ensure_topics(["petition.events"])
        bus.publish("petition.events", "p1", b'{"id": "e1"}')
        bus.flush()
        bus.close()
        taken = backup.backup(settings, tmp_path / "b")
        assert "bus.db" in taken["files"] and taken["databases"][f"{settings.database_prefix}_petition"]
        shutil.rmtree(settings.data_dir)  # destroy both
        db.drop()
        backup.restore(settings, tmp_path / "b")
        assert db.collection("petitions").find_one({"_id": "p1"}) == {"_id": "p1"}
        bus = open_bus(settings)
        assert [m.value for m in bus.read("petition.events")] == [b'{"id": "e1"}']
        bus.close()
    finally:
        db.drop()
