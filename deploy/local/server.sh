# What kafka.sh, ferretdb.sh and s3.sh share (sourced, not run): a test server started in its own session,
# its pid in a file, found again by its command line (so a recycled pid is never taken for ours),
# stopped with TERM and then KILL, and waited for until its probe answers.
#
# A server run from jars (kafka.sh, s3.sh) also sets POM, LIBS and M2_REPO and calls fetch_jars.
#
# The caller sets HOST, PORT, SERVER_DIR (the server's folder in the cache), CMDLINE_MARK (a part of the
# server's command line that tells it is ours), STOP_TIMEOUT, START_TIMEOUT, NAME and TITLE, and defines
# probe(). The server's data, pid and log are named here, once per port: servers on two ports never share.
DATA_DIR="$SERVER_DIR/data-$PORT"
PID_FILE="$SERVER_DIR/$NAME-$PORT.pid"
LOG_FILE="$SERVER_DIR/server-$PORT.log"

log() { echo "$NAME.sh: $*" >&2; }

# fail <message>: print the server log's tail and a clear error, stop a half-started server, exit 1
fail() {
  if [[ -f "$LOG_FILE" ]]; then
    echo "---- last 50 lines of $LOG_FILE ----" >&2
    tail -n 50 "$LOG_FILE" >&2 || true
    echo "---- end of log ----" >&2
  fi
  echo "$TITLE could not be started: $*" >&2
  stop_server >/dev/null 2>&1 || true
  exit 1
}

# pid of our server, if it is alive
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    local cmdline
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    [[ "$cmdline" == *"$CMDLINE_MARK"* ]] || return 1
  fi
  echo "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

stop_server() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$NAME: pid $pid did not stop within ${STOP_TIMEOUT}s, sending KILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
}

# kill_server: SIGKILL, no grace, as a crashed machine would go (the fault tests); idempotent
kill_server() {
  local pid
  if pid="$(running_pid)"; then
    kill -KILL "$pid" 2>/dev/null || true
    # gone, or a zombie its parent has not reaped yet (it holds no port and no file then)
    while kill -0 "$pid" 2>/dev/null && [[ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ]]; do
      sleep 0.05
    done
  fi
  rm -f "$PID_FILE"
}

# spawn <command...>: start it detached (setsid+nohup: it outlives the calling shell), logging to
# LOG_FILE; the pid is written by the shell that then execs the command, so it is the server's own.
# Prints the pid.
spawn() {
  # shellcheck disable=SC2016  # $$/$0/$@ are meant for the inner bash
  setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" "$@" </dev/null >>"$LOG_FILE" 2>&1 &
  local pid="" _
  for _ in $(seq 1 50); do
    pid="$(cat "$PID_FILE" 2>/dev/null || true)"
    [[ -n "$pid" ]] && break
    sleep 0.1
  done
  [[ -n "$pid" ]] || fail "process did not start"
  echo "$pid"
}

# wait_ready <pid> <port>: until the port is open and probe() answers, or fail after START_TIMEOUT
wait_ready() {
  local pid="$1" port="$2" deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    kill -0 "$pid" 2>/dev/null || fail "process $pid exited during startup"
    if port_in_use "$port" && probe; then
      return 0
    fi
    sleep 0.2
  done
  fail "$HOST:$port did not answer within ${START_TIMEOUT}s"
}

# claim_ports <port...>: before a start: python3 (the probes) is there, our server on this port is stopped,
# and no other process holds any of the ports
claim_ports() {
  command -v python3 >/dev/null || fail "python3 not found on PATH"
  stop_server
  local p
  for p in "$@"; do
    if port_in_use "$p"; then
      fail "port $HOST:$p is already in use by another process"
    fi
  done
}

# keep_or_wipe_data <fresh|keep> <a path that is there when the data is> [<command for a fresh server>...]:
# keep, with data there, marks the restart in the log and keeps the data; otherwise the data dir is wiped, the
# log emptied, and the command run (what a fresh server needs besides). The data dir exists afterwards.
keep_or_wipe_data() {
  local mode="$1" marker="$2"
  shift 2
  mkdir -p "$SERVER_DIR"
  if [[ "$mode" == keep && -e "$marker" ]]; then
    echo "==== $NAME.sh restart-keep-data $(date -Is) ====" >>"$LOG_FILE"
    return
  fi
  if [[ "$mode" == keep ]]; then log "no existing data in $DATA_DIR, starting fresh"; fi
  rm -rf "$DATA_DIR"
  : >"$LOG_FILE"
  mkdir -p "$DATA_DIR"
  if (($#)); then "$@"; fi
}

# run_until_ready <t0> <ready line> <command...>: spawn the server with its log, wait until it answers on
# PORT (START_TIMEOUT), then say how long the start took since t0 and print the ready line
run_until_ready() {
  local t0="$1" ready="$2"
  shift 2
  local pid
  pid="$(spawn "$@")" || fail "process did not start"
  wait_ready "$pid" "$PORT"
  log "started in $((SECONDS - t0))s (pid $pid, log $LOG_FILE)"
  echo "$ready"
}

# the commands both scripts take; start_fresh and start_keep are the caller's
dispatch() {
  case "${1:-}" in
    start) start_fresh ;;
    restart-keep-data) start_keep ;;
    stop) stop_server; echo "$NAME stopped ($HOST:$PORT)" ;;
    kill) kill_server; echo "$NAME killed ($HOST:$PORT)" ;;
    status)
      local pid
      if pid="$(running_pid)"; then
        echo "$NAME running on $HOST:$PORT (pid $pid)"
      else
        echo "$NAME not running on $HOST:$PORT"
        exit 1
      fi
      ;;
    *)
      echo "usage: $0 start|stop|status|restart-keep-data|kill" >&2
      exit 2
      ;;
  esac
}

# fetch_jars: the runtime jars of $POM from Maven Central into $LIBS, once per version of the pom (a marker names
# its hash), through the Maven repository $M2_REPO; concurrent starts (two ports in parallel) wait for one fetch
pom_hash() { sha256sum "$POM" | cut -c1-16; }

fetch_jars() {
  local marker
  marker="$LIBS/.fetched-$(pom_hash)"
  [[ -f "$marker" ]] && return 0
  command -v java >/dev/null || fail "java not found on PATH (Java 17+ required)"
  command -v mvn >/dev/null || fail "mvn not found on PATH (needed once to fetch the $TITLE jars)"
  mkdir -p "$SERVER_DIR"
  (
    if command -v flock >/dev/null; then exec 9>"$SERVER_DIR/.fetch.lock"; flock 9; fi
    [[ -f "$marker" ]] && exit 0
    log "fetching $TITLE jars from Maven Central into $LIBS (first run only)..."
    local t0=$SECONDS staging="$LIBS.staging.$$"
    rm -rf "$staging"
    if ! MAVEN_OPTS="${MAVEN_OPTS:-} -XX:-UsePerfData" mvn -q -B -f "$POM" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$staging" \
        -Dmaven.repo.local="$M2_REPO" >"$SERVER_DIR/fetch.log" 2>&1; then
      tail -n 40 "$SERVER_DIR/fetch.log" >&2
      rm -rf "$staging"
      exit 1
    fi
    rm -rf "$LIBS"
    mv "$staging" "$LIBS"
    touch "$LIBS/.fetched-$(pom_hash)"
    log "fetched $(find "$LIBS" -name '*.jar' | wc -l) jars in $((SECONDS - t0))s"
  ) || { echo "$TITLE could not be started: fetching jars with Maven failed (see $SERVER_DIR/fetch.log)" >&2; exit 1; }
}
