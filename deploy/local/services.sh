#!/usr/bin/env bash
# Local PostgreSQL + Redis for development, tests and CI.
#
#   services.sh up     make PostgreSQL and Redis reachable, write .local/env
#   services.sh down   stop the private instances this script started
#   services.sh env    print the env file
#   services.sh clean  down, then delete .local/ (and the /tmp PG fallback dir)
#
# Preference for each service: an already reachable DATABASE_URL / REDIS_URL
# from the environment, else a private instance under .local/ (installing the
# server packages with apt first when they are missing and we are root).
# Non-interactive on purpose: it runs in CI as root with no stdin.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
LOCAL_DIR="$REPO_ROOT/.local"
ENV_FILE="$LOCAL_DIR/env"
# Remembers where the PG base dir is, so `down` finds a /tmp fallback too.
PG_LOCATION_FILE="$LOCAL_DIR/pg-location"

PG_PORT="${LOCAL_PG_PORT:-54329}"
REDIS_PORT="${LOCAL_REDIS_PORT:-63799}"
PG_USER_NAME=ticketing
PG_PASSWORD=ticketing
PG_DB_NAME=ticketing

REDIS_DIR="$LOCAL_DIR/redis"
REDIS_PIDFILE="$REDIS_DIR/redis.pid"
REDIS_PORTFILE="$REDIS_DIR/port"

log() { printf '[services] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# PostgreSQL refuses to run as root, so as root we run its tools as `postgres`.
# `cd /` first: the caller's cwd (e.g. /root) may not be readable by postgres.
as_pg() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

pg_run_user() { if is_root; then echo postgres; else id -un; fi; }

# Highest-versioned /usr/lib/postgresql/*/bin that has initdb (empty if none).
find_pgbin() {
  local d best="" best_ver=-1 ver
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x "$d/initdb" ]] || continue
    ver="$(basename "$(dirname "$d")")"
    ver="${ver%%.*}"
    [[ "$ver" =~ ^[0-9]+$ ]] || continue
    if ((ver > best_ver)); then best_ver=$ver; best=$d; fi
  done
  printf '%s' "$best"
}

# Install only the missing server packages. Refuse (with the exact command)
# when not root.
ensure_binaries() {
  local need_pg=$1 need_redis=$2 pkgs=()
  if [[ $need_pg == 1 && -z "$(find_pgbin)" ]]; then pkgs+=(postgresql); fi
  if [[ $need_redis == 1 ]] && ! command -v redis-server >/dev/null 2>&1; then
    pkgs+=(redis-server)
  fi
  ((${#pkgs[@]})) || return 0

  if ! is_root; then
    die "missing ${pkgs[*]}. Install it with: sudo apt-get install ${pkgs[*]}
           (or point DATABASE_URL / REDIS_URL at running servers and re-run)"
  fi
  command -v apt-get >/dev/null 2>&1 || die "missing ${pkgs[*]} and no apt-get to install it"

  log "installing ${pkgs[*]} with apt-get (first run on this machine)"
  # Stop Debian's maintainer scripts from auto-starting the system-wide
  # postgresql/redis services: we only use our private instances. This is the
  # standard policy-rc.d mechanism; leave an existing one alone.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && created_policy=1
  fi
  local rc=0
  {
    apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
  } </dev/null >&2 || rc=$?
  if ((created_policy)); then rm -f "$policy"; fi
  ((rc == 0)) || die "apt-get install ${pkgs[*]} failed (exit $rc)"

  [[ $need_pg == 1 && -z "$(find_pgbin)" ]] && die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb"
  [[ $need_redis == 1 ]] && ! command -v redis-server >/dev/null 2>&1 && die "redis-server still missing after install"
  return 0
}

# ---------------------------------------------------------------- checks ---

# Does this DATABASE_URL accept a real query? Prefer psql (checks credentials
# too), then pg_isready, then a bare TCP connect.
pg_url_ok() {
  local url=$1 pgbin psql_bin="" isready_bin=""
  pgbin="$(find_pgbin)"
  if [[ -n $pgbin ]]; then psql_bin="$pgbin/psql"; isready_bin="$pgbin/pg_isready"; fi
  [[ -x $psql_bin ]] || psql_bin="$(command -v psql || true)"
  [[ -x $isready_bin ]] || isready_bin="$(command -v pg_isready || true)"
  if [[ -n $psql_bin ]]; then
    PGCONNECT_TIMEOUT=5 timeout 15 "$psql_bin" "$url" -XqAtc 'select 1' </dev/null >/dev/null 2>&1
  elif [[ -n $isready_bin ]]; then
    timeout 15 "$isready_bin" -q -t 5 -d "$url" </dev/null
  else
    tcp_url_ok "$url" 5432
  fi
}

# Fallback when no PostgreSQL client exists: can we open host:port at all?
tcp_url_ok() {
  python3 - "$1" "$2" <<'PY' 2>/dev/null
import socket, sys
from urllib.parse import urlsplit
u = urlsplit(sys.argv[1])
socket.create_connection((u.hostname or "127.0.0.1", u.port or int(sys.argv[2])), timeout=5).close()
PY
}

# Does this REDIS_URL answer PING? redis-cli if present, else a tiny python
# client (handles password and rediss://).
redis_url_ok() {
  local url=$1 out
  if command -v redis-cli >/dev/null 2>&1; then
    out="$(timeout 5 redis-cli -u "$url" ping </dev/null 2>/dev/null || true)"
    [[ $out == PONG ]]
  else
    python3 - "$url" <<'PY' 2>/dev/null
import socket, ssl, sys
from urllib.parse import unquote, urlsplit
u = urlsplit(sys.argv[1])
s = socket.create_connection((u.hostname or "127.0.0.1", u.port or 6379), timeout=5)
if u.scheme == "rediss":
    s = ssl.create_default_context().wrap_socket(s, server_hostname=u.hostname)
def cmd(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    s.sendall(out)
    return s.recv(1024)
if u.password:
    auth = (unquote(u.username), unquote(u.password)) if u.username else (unquote(u.password),)
    if not cmd("AUTH", *auth).startswith(b"+OK"):
        sys.exit(1)
sys.exit(0 if cmd("PING").startswith(b"+PONG") else 1)
PY
  fi
}

# ------------------------------------------------------------ PostgreSQL ---

# Where the private cluster lives (sets PG_BASE). Normally .local/pg, but the
# server user must be able to reach it, and the unix socket path
# (<base>/run/.s.PGSQL.<port>) must fit in the ~107-byte sockaddr limit.
choose_pg_base() {
  local sock_path="$LOCAL_DIR/pg/run/.s.PGSQL.$PG_PORT" reason="" hash
  mkdir -p "$LOCAL_DIR"
  chmod 755 "$LOCAL_DIR"
  if is_root && ! (cd / && runuser -u postgres -- test -x "$LOCAL_DIR"); then
    reason="user postgres cannot traverse into $LOCAL_DIR"
  elif ((${#sock_path} > 100)); then
    reason="the socket path under $LOCAL_DIR/pg would be too long"
  fi
  if [[ -z $reason ]]; then
    PG_BASE="$LOCAL_DIR/pg"
    return
  fi
  hash="$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-12)"
  PG_BASE="/tmp/ticketing-pg-$hash"
  log "NOTE: $reason; PostgreSQL data goes to $PG_BASE instead of .local/pg"
}

# Previously recorded base dir if any, else the default choice.
recorded_pg_base() {
  if [[ -s $PG_LOCATION_FILE ]]; then cat "$PG_LOCATION_FILE"; else printf '%s' "$LOCAL_DIR/pg"; fi
}

# Port a running cluster actually listens on (line 4 of postmaster.pid).
running_pg_port() { sed -n 4p "$1/postmaster.pid" 2>/dev/null || true; }

pg_is_running() { [[ -f $2/PG_VERSION ]] && as_pg "$1/pg_ctl" -D "$2" status >/dev/null 2>&1; }

start_private_pg() {
  local pgbin=$1 base data sock logf runuser_name
  choose_pg_base
  base=$PG_BASE
  data="$base/data"
  sock="$base/run"
  logf="$base/log/postgres.log"
  runuser_name="$(pg_run_user)"
  printf '%s\n' "$base" >"$PG_LOCATION_FILE"

  # /tmp is world-writable: refuse a fallback dir that someone else created.
  if [[ $base == /tmp/* && -e $base && "$(stat -c %U "$base")" != "$runuser_name" && "$(stat -c %U "$base")" != root ]]; then
    die "$base exists but is owned by $(stat -c %U "$base"); remove it"
  fi
  mkdir -p "$base/run" "$base/log"
  chmod 700 "$base"
  if is_root; then chown postgres: "$base" "$base/run" "$base/log"; fi

  if [[ ! -f $data/PG_VERSION ]]; then
    log "initdb private cluster in $data"
    # Local socket: trust (socket dir is 0700). TCP: password (scram) only.
    as_pg "$pgbin/initdb" -D "$data" -U postgres -E UTF8 --locale=C \
      --auth-local=trust --auth-host=scram-sha-256 >"$base/log/initdb.log" 2>&1 ||
      { tail -n 20 "$base/log/initdb.log" >&2; die "initdb failed"; }
    # Our settings live in a separate file that `up` rewrites each start.
    echo "include_if_exists = 'local.conf'" | as_pg tee -a "$data/postgresql.conf" >/dev/null
  fi

  if pg_is_running "$pgbin" "$data"; then
    local port
    port="$(running_pg_port "$data")"
    if [[ -n $port && $port != "$PG_PORT" ]]; then
      log "private PostgreSQL already running on port $port (not $PG_PORT); reusing it"
      PG_PORT=$port
    else
      log "private PostgreSQL already running on 127.0.0.1:$PG_PORT"
    fi
  else
    if port_busy "$PG_PORT"; then
      die "port $PG_PORT is taken by something else; set LOCAL_PG_PORT to a free port"
    fi
    as_pg tee "$data/local.conf" >/dev/null <<EOF
# Written by deploy/local/services.sh on each start.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$sock'
EOF
    log "starting private PostgreSQL on 127.0.0.1:$PG_PORT (log: $logf)"
    as_pg "$pgbin/pg_ctl" -D "$data" -l "$logf" -w -t 60 start >/dev/null ||
      { tail -n 30 "$logf" >&2 || true; die "PostgreSQL did not start"; }
  fi

  # Idempotent: make sure role and database exist (cheap, so every time).
  # SUPERUSER because tests create databases, schemas and extensions.
  local psql=("$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$PG_PORT" -U postgres -d postgres)
  as_pg "${psql[@]}" >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER_NAME') THEN
    CREATE ROLE $PG_USER_NAME LOGIN SUPERUSER CREATEDB CREATEROLE PASSWORD '$PG_PASSWORD';
  ELSE
    ALTER ROLE $PG_USER_NAME LOGIN SUPERUSER CREATEDB CREATEROLE PASSWORD '$PG_PASSWORD';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE $PG_DB_NAME OWNER $PG_USER_NAME'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DB_NAME')\gexec
SQL
}

stop_private_pg() {
  local pgbin base data
  base="$(recorded_pg_base)"
  data="$base/data"
  [[ -f $data/PG_VERSION ]] || return 0
  pgbin="$(find_pgbin)"
  [[ -n $pgbin ]] || return 0
  if pg_is_running "$pgbin" "$data"; then
    log "stopping private PostgreSQL ($data)"
    as_pg "$pgbin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null
  else
    log "private PostgreSQL not running"
  fi
}

# ----------------------------------------------------------------- Redis ---

port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# PID from our pidfile, only if that process is still a redis-server (the
# pid may have been reused by something else since).
private_redis_pid() {
  local pid
  [[ -s $REDIS_PIDFILE ]] || return 1
  pid="$(cat "$REDIS_PIDFILE")"
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == redis-server* ]] || return 1
  printf '%s' "$pid"
}

start_private_redis() {
  local pid url
  mkdir -p "$REDIS_DIR"
  if pid="$(private_redis_pid)"; then
    local port
    port="$(cat "$REDIS_PORTFILE" 2>/dev/null || echo "$REDIS_PORT")"
    if redis_url_ok "redis://127.0.0.1:$port/0"; then
      [[ $port == "$REDIS_PORT" ]] || log "private Redis already running on port $port (not $REDIS_PORT); reusing it"
      log "private Redis already running on 127.0.0.1:$port"
      REDIS_PORT=$port
      return 0
    fi
    log "private Redis (pid $pid) does not answer; restarting it"
    kill "$pid" 2>/dev/null || true
    sleep 1
  fi
  if port_busy "$REDIS_PORT"; then
    die "port $REDIS_PORT is taken by something else; set LOCAL_REDIS_PORT to a free port"
  fi
  log "starting private Redis on 127.0.0.1:$REDIS_PORT (log: $REDIS_DIR/redis.log)"
  rm -f "$REDIS_PIDFILE"
  # Throwaway cache/broker: no persistence.
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
    --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_DIR/redis.log" --dir "$REDIS_DIR" \
    --save '' --appendonly no </dev/null >/dev/null
  printf '%s\n' "$REDIS_PORT" >"$REDIS_PORTFILE"
  url="redis://127.0.0.1:$REDIS_PORT/0"
  local i
  for ((i = 0; i < 50; i++)); do
    redis_url_ok "$url" && return 0
    sleep 0.2
  done
  tail -n 20 "$REDIS_DIR/redis.log" >&2 || true
  die "Redis did not start"
}

stop_private_redis() {
  local pid i
  if ! pid="$(private_redis_pid)"; then
    log "private Redis not running"
    rm -f "$REDIS_PIDFILE"
    return 0
  fi
  log "stopping private Redis (pid $pid)"
  kill -TERM "$pid" # --save '' means nothing to persist, so TERM is a clean stop
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$REDIS_PIDFILE"; return 0; }
    sleep 0.2
  done
  log "Redis did not stop in 10s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$REDIS_PIDFILE"
}

# ------------------------------------------------------------ subcommands ---

cmd_up() {
  local db_url="" redis_url="" pgbin
  local private_db="postgres://$PG_USER_NAME:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB_NAME"
  local private_redis="redis://127.0.0.1:$REDIS_PORT/0"
  mkdir -p "$LOCAL_DIR"

  # (a) external services from the environment, if they answer. A URL equal
  # to our private one (e.g. from a sourced .local/env) is not "external".
  if [[ -n ${DATABASE_URL:-} && ${DATABASE_URL} != "$private_db" ]]; then
    if pg_url_ok "$DATABASE_URL"; then
      log "using DATABASE_URL from the environment"
      db_url=$DATABASE_URL
    else
      log "WARNING: DATABASE_URL is set but does not answer; starting a private PostgreSQL instead"
    fi
  fi
  if [[ -n ${REDIS_URL:-} && ${REDIS_URL} != "$private_redis" ]]; then
    if redis_url_ok "$REDIS_URL"; then
      log "using REDIS_URL from the environment"
      redis_url=$REDIS_URL
    else
      log "WARNING: REDIS_URL is set but does not answer; starting a private Redis instead"
    fi
  fi

  # (c)/(d) make sure the binaries for the private instances exist.
  ensure_binaries "$([[ -z $db_url ]] && echo 1 || echo 0)" "$([[ -z $redis_url ]] && echo 1 || echo 0)"
  pgbin="$(find_pgbin)"

  # (b) private instances.
  if [[ -z $db_url ]]; then
    start_private_pg "$pgbin"
    db_url="postgres://$PG_USER_NAME:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB_NAME"
    pg_url_ok "$db_url" || die "private PostgreSQL runs but $db_url does not answer"
  fi
  if [[ -z $redis_url ]]; then
    start_private_redis
    redis_url="redis://127.0.0.1:$REDIS_PORT/0"
  fi

  if [[ -z $pgbin || ! -x $pgbin/pgbench ]]; then
    log "note: pgbench not found (install postgresql to get it); PGBIN left empty"
    pgbin=""
  fi

  # Write atomically so a concurrent `source` never sees half a file.
  local tmp="$ENV_FILE.tmp.$$"
  {
    echo "# Generated by deploy/local/services.sh up; sourced by the other scripts."
    printf 'export DATABASE_URL=%q\n' "$db_url"
    printf 'export REDIS_URL=%q\n' "$redis_url"
    printf 'export PGBIN=%q\n' "$pgbin"
    printf 'export PGBENCH=%q\n' "${pgbin:+$pgbin/pgbench}"
  } >"$tmp"
  mv -f "$tmp" "$ENV_FILE"
  log "ready; wrote $ENV_FILE"
}

cmd_down() {
  # Only our private instances; external DATABASE_URL/REDIS_URL are never
  # touched (we never started them).
  stop_private_pg
  stop_private_redis
}

cmd_env() {
  if [[ -f $ENV_FILE ]]; then
    log "$ENV_FILE:"
    cat "$ENV_FILE"
  else
    die "$ENV_FILE does not exist yet; run: bash deploy/local/services.sh up"
  fi
}

cmd_clean() {
  local base
  cmd_down
  base="$(recorded_pg_base)"
  if [[ $base == /tmp/ticketing-pg-* ]]; then
    log "removing $base"
    rm -rf "$base"
  fi
  log "removing $LOCAL_DIR"
  rm -rf "$LOCAL_DIR"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  env) cmd_env ;;
  clean) cmd_clean ;;
  *)
    echo "usage: $0 {up|down|env|clean}" >&2
    exit 2
    ;;
esac
