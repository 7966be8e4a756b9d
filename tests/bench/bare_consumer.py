"""The raw limit for the projector: a bare kafka-python loop (poll, json.loads, commit), run as a process so
several can share one consumer group, as several gateway workers do.

    python bare_consumer.py <bootstrap> <group> <topic> [<topic> ...]

With MONGO_URI and BARE_MONGO_DB set, each poll's events are also counted into a MongoDB collection with one
bulk of upserts ($inc per community and day, and per community and month, as the read model keeps them):
what a hand-written read model on the same server costs."""
import gc
import json
import os
import sys
from collections import Counter

from kafka import KafkaConsumer

# upserts per bulk, as the read model's adapter writes (UPSERT_CHUNK): a loop stopped at the harness's time limit
# leaves the server one small bulk to finish, not a poll's thousands (FerretDB goes on with a bulk whose client left)
CHUNK = 50


def main() -> None:
    bootstrap, group, *topics = sys.argv[1:]
    consumer = KafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                             enable_auto_commit=False, max_poll_records=2000)
    buckets = None
    if os.environ.get("BARE_MONGO_DB"):
        import pymongo

        buckets = pymongo.MongoClient(os.environ["MONGO_URI"])[os.environ["BARE_MONGO_DB"]]["buckets"]
    gc.collect()
    gc.freeze()  # as every worker process does after its start (liandong.worker.settle_heap)
    while True:
        polled = consumer.poll(timeout_ms=1000, max_records=2000)
        counts: Counter = Counter()
        for records in polled.values():
            for m in records:
                event = json.loads(m.value)
                # the read model's buckets: the event's unit and its day, and its unit and its month (the envelope's
                # `orgpath` and `time`; keyed by fields the envelope lacks, every event once met one document)
                counts[(event["orgpath"], event["time"][:10])] += 1
                counts[(event["orgpath"], event["time"][:7])] += 1
        if buckets is not None and counts:
            ops = [pymongo.UpdateOne({"_id": f"{path}|{period}"}, {"$inc": {"n": n}}, upsert=True)
                   for (path, period), n in counts.items()]
            for i in range(0, len(ops), CHUNK):
                buckets.bulk_write(ops[i:i + CHUNK], ordered=False)
        if polled:
            consumer.commit()


if __name__ == "__main__":
    main()
