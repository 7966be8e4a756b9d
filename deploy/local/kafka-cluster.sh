#!/usr/bin/env bash
# Start/stop a real three-node Apache Kafka cluster on loopback for the fault tests: every node a
# combined broker+controller (KRaft) of one 3-voter quorum, replication factor 3 and
# min.insync.replicas=2, so one node may die without losing an acknowledged write and a second
# one stops writes (never silently drops them). Each node is deploy/local/kafka.sh with its own
# ports, config and data dir (same Maven jars, same cache dir).
#
# Usage: deploy/local/kafka-cluster.sh start|stop|status|bootstrap|kill <node>...|restart <node>...
#
#   start            fetch jars if missing, wipe + format the three nodes, start them, wait until every
#                    node sees all three brokers
#   stop             graceful stop of every node; idempotent
#   status           exit 0 if all three nodes are running
#   bootstrap        print the bootstrap servers (host:port,host:port,host:port)
#   kill <node>...   SIGKILL these nodes (1, 2 or 3), no grace
#   restart <node>...  start these nodes again on their data (no wipe), in parallel, until all three are back
#
# Environment:
#   KAFKA_CLUSTER_PORT     node n's broker port is KAFKA_CLUSTER_PORT+n-1, its controller port
#                          KAFKA_CLUSTER_PORT+10+n-1; default 19192 (brokers 19192-19194, controllers 19202-19204)
#   KAFKA_CLUSTER_HEAP_OPTS  per node, default "-Xms128m -Xmx384m"
#   LIANDONG_CACHE_DIR, KAFKA_START_TIMEOUT, KAFKA_STOP_TIMEOUT as for kafka.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HOST=127.0.0.1
BASE="${KAFKA_CLUSTER_PORT:-19192}"
NODES=(1 2 3)

broker_port() { echo $((BASE + $1 - 1)); }
controller_port() { echo $((BASE + 10 + $1 - 1)); }

voters() {
  local n out=""
  for n in "${NODES[@]}"; do out+="${out:+,}$n@$HOST:$(controller_port "$n")"; done
  echo "$out"
}

bootstrap() {
  local n out=""
  for n in "${NODES[@]}"; do out+="${out:+,}$HOST:$(broker_port "$n")"; done
  echo "$out"
}

# node <n> <kafka.sh command>: kafka.sh for node n of this cluster
node() {
  local n="$1"
  case "$n" in 1|2|3) ;; *) echo "kafka-cluster.sh: no node $n (1, 2 or 3)" >&2; return 2 ;; esac
  KAFKA_PORT="$(broker_port "$n")" KAFKA_CONTROLLER_PORT="$(controller_port "$n")" KAFKA_NODE_ID="$n" \
    KAFKA_QUORUM_VOTERS="$(voters)" KAFKA_REPLICATION=3 KAFKA_MIN_INSYNC=2 KAFKA_READY_BROKERS=3 \
    KAFKA_HEAP_OPTS="${KAFKA_CLUSTER_HEAP_OPTS:--Xms128m -Xmx384m}" \
    "$HERE/kafka.sh" "$2"
}

# parallel <kafka.sh command> <node>...: the nodes together (a lone node of a 3-voter quorum never
# becomes ready: it waits for a majority), failing if any fails
parallel() {
  local command="$1" n pids=() failed=0
  shift
  for n in "$@"; do node "$n" "$command" >/dev/null & pids+=($!); done
  for n in "${pids[@]}"; do wait "$n" || failed=1; done
  return $failed
}

case "${1:-}" in
  start)
    t0=$SECONDS
    # the same cluster id on every node's storage, or they would not form one cluster
    KAFKA_CLUSTER_ID="$("$HERE/kafka.sh" cluster-id)"
    export KAFKA_CLUSTER_ID
    if ! parallel start "${NODES[@]}"; then
      parallel stop "${NODES[@]}" || true
      echo "Kafka cluster could not be started (see the nodes' logs above)" >&2
      exit 1
    fi
    echo "kafka cluster ready on $(bootstrap) in $((SECONDS - t0))s (3 nodes, replication 3, min.insync.replicas 2)"
    ;;
  stop)
    parallel stop "${NODES[@]}" || true
    echo "kafka cluster stopped ($(bootstrap))"
    ;;
  status)
    up=0
    for n in "${NODES[@]}"; do node "$n" status && up=$((up + 1)) || true; done
    [[ $up -eq ${#NODES[@]} ]]
    ;;
  bootstrap) bootstrap ;;
  kill)
    shift
    [[ $# -gt 0 ]] || { echo "usage: $0 kill <node>..." >&2; exit 2; }
    for n in "$@"; do node "$n" kill; done
    ;;
  restart)
    shift
    [[ $# -gt 0 ]] || { echo "usage: $0 restart <node>..." >&2; exit 2; }
    t0=$SECONDS
    parallel restart-keep-data "$@" || { echo "Kafka nodes $* could not be restarted" >&2; exit 1; }
    echo "kafka nodes $* back in $((SECONDS - t0))s"
    ;;
  *)
    echo "usage: $0 start|stop|status|bootstrap|kill <node>...|restart <node>..." >&2
    exit 2
    ;;
esac
