"""Storage of Open311 api keys: their SHA-256 digests with the app and the org unit each belongs to."""
from __future__ import annotations


class ApiKeyRepository:
    collection_name = "open311_api_keys"

    def __init__(self, deps):
        self.collection = deps.db.collection(self.collection_name)

    def prepare(self) -> None:
        self.collection.create_index([("digest", 1)], name="digest", unique=True)

    def add(self, doc: dict) -> None:
        self.collection.insert_one(doc)

    def add_once(self, doc: dict) -> None:
        """Insert unless a key of that id exists (then left as it is: a revoked demo key stays revoked)."""
        self.collection.update_one({"_id": doc["_id"]}, {"$setOnInsert": {k: v for k, v in doc.items()
                                                                          if k != "_id"}}, upsert=True)

    def by_digest(self, digest: str) -> dict | None:
        return self.collection.find_one({"digest": digest})

    def get(self, key_id: str) -> dict | None:
        return self.collection.find_one({"_id": key_id})

    def all(self) -> list[dict]:
        return self.collection.find({}, sort=[("issued_at", -1)], limit=1000, projection={"digest": 0})

    def revoke(self, key_id: str, at: str, by: str) -> bool:
        result = self.collection.update_one({"_id": key_id, "revoked_at": None},
                                            {"$set": {"revoked_at": at, "revoked_by": by}})
        return result.matched_count > 0
