# Shared by bench/run and the measurement scripts it calls (pack-vs-squashfs, verify-vs-sha256sum,
# mount-vs-squashfuse); sourced, not run. Each measurement appends its samples to the results file
# $BENCH_RESULTS, one tab-separated line per sample: SECTION ROW METRIC UNIT VALUE (see report/Results.java).
# A script run alone gets its own results file and prints its table at the end (bench_begin, bench_end).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_jar="$here/bench/target/benchmarks.jar"

die() { echo "bench: $*" >&2; exit 1; }

# need TOOL PACKAGE: installs PACKAGE with apt-get if TOOL is missing and this is root; else says what to install.
need() {
  command -v "$1" >/dev/null && return
  [[ $EUID -eq 0 ]] || die "needs $1: apt-get install $2"
  echo "bench: installing $2 for $1" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$2" >&2 || die "apt-get install -y $2 failed; install it and retry"
  command -v "$1" >/dev/null || die "$2 installed no $1"
}

# Builds benchmarks.jar (the report, chart, corpus and JMH programs) when a bench source is newer than it.
build_bench() {
  if [[ ! -f $bench_jar ]] || [[ -n $(find "$here/bench/src" "$here/bench/pom.xml" "$here/pom.xml" -newer "$bench_jar" | head -1) ]]; then
    echo "bench: building bench/target/benchmarks.jar" >&2
    (cd "$here" && mvn -q -o -pl bench -am package -DskipTests) >&2 || die "building the bench module failed"
  fi
  "$here/kmodpack" --version >/dev/null   # builds the command outside the timings
}

bench_java() { java -cp "$bench_jar" "$@"; }

# corpus_dir cloud|amd64|synthetic|DIR: the module directory ROOT/lib/modules/KVER (fetched or built if needed).
corpus_dir() { bench_java org.kmodpack.bench.Corpus "$1"; }

# bench_begin: a work directory ($work; $BENCH_WORK if bench/run shares one) and a results file.
bench_begin() {
  if [[ -n ${BENCH_WORK:-} ]]; then
    work=$BENCH_WORK
  else
    work="$(mktemp -d "${TMPDIR:-/tmp}/kmodpack-bench.XXXXXX")"
    trap 'unmount_under "$work"; rm -rf "$work"' EXIT
  fi
  if [[ -z ${BENCH_RESULTS:-} ]]; then
    build_bench
    BENCH_RESULTS="$work/results.tsv" standalone=1
    : > "$BENCH_RESULTS"
  fi
}

# Undoes what an interrupted run leaves behind: the FUSE mounts of mount-vs-squashfuse under DIR.
unmount_under() { for mp in "$1"/mnt-*/lib/modules/*; do fusermount -uz "$mp" 2>/dev/null || true; done; }

# bench_end: run alone, a script prints its own table.
bench_end() { [[ -z ${standalone:-} ]] || bench_java org.kmodpack.bench.report.Report "$BENCH_RESULTS"; }

# record SECTION ROW METRIC UNIT VALUE: one sample (UNIT s, B, or text).
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$BENCH_RESULTS"; }

# nginx_start: Debian's nginx (one process, started here) serving $work/nginx/www on 127.0.0.1; its access log
# $work/nginx/logs/access.log has the status and body bytes of each request (nginx's own count of what was
# fetched). Sets nginx_port and nginx_pid; stopping it is the caller's (its EXIT trap).
nginx_start() {
  local ng="$work/nginx"
  mkdir -p "$ng/logs" "$ng/www"
  nginx_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat > "$ng/nginx.conf" <<CONF
worker_processes 1; master_process off; daemon off;
error_log $ng/logs/error.log; pid $ng/nginx.pid;
events { worker_connections 256; }
http {
  log_format bytes '\$status \$body_bytes_sent';
  access_log $ng/logs/access.log bytes;
  client_body_temp_path $ng/body; proxy_temp_path $ng/proxy; fastcgi_temp_path $ng/fastcgi;
  uwsgi_temp_path $ng/uwsgi; scgi_temp_path $ng/scgi;
  server { listen 127.0.0.1:$nginx_port; root $ng/www; }
}
CONF
  nginx -p "$ng" -c "$ng/nginx.conf" & nginx_pid=$!
  until (exec 3<>"/dev/tcp/127.0.0.1/$nginx_port") 2>/dev/null; do
    kill -0 $nginx_pid || die "nginx did not start"; sleep 0.05
  done
}

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches || die "dropping the page cache needs root"; }

# timed SECTION ROW METRIC COMMAND...: runs COMMAND once and records its wall time; its output goes to a log,
# shown if it fails.
timed() {
  local section=$1 row=$2 metric=$3 t0; shift 3
  t0=$(now)
  "$@" > "$work/command.log" 2>&1 || { cat "$work/command.log" >&2; die "failed: $*"; }
  record "$section" "$row" "$metric" s "$(since "$t0")"
}
