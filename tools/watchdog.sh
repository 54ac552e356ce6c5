#!/usr/bin/env bash
# tools/watchdog.sh SECONDS COMMAND [ARGS...]: runs COMMAND; if it has not ended after
# SECONDS, prints every thread's stack of each of its processes (gdb, when installed),
# kills them and exits 124. A hung test run so fails within minutes, with the evidence,
# instead of running into CI's time limit. Otherwise the exit status is COMMAND's.
set -u
limit=$1
shift
# A background command of a script starts with SIGINT and SIGQUIT ignored (no job control):
# Python would then install no KeyboardInterrupt handler. The command gets them back.
env --default-signal=INT,QUIT "$@" &
pid=$!
deadline=$((SECONDS + limit))
descendants() {
  local p
  for p in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$p"
    descendants "$p"
  done
}
while [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != "" ] &&
      [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != "Z" ]; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo
    echo "==> watchdog: '$*' did not end within $limit s: the stacks of its processes"
    procs="$pid $(descendants "$pid")"
    for p in $procs; do
      echo "--- process $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-200)"
      if command -v gdb >/dev/null 2>&1; then
        timeout 120 gdb -p "$p" -batch -nx -ex "set pagination off" -ex "thread apply all bt 30" 2>/dev/null |
          grep -E '^(Thread|#)' | cut -c1-240
      else
        for t in /proc/"$p"/task/*; do
          echo "thread ${t##*/} ($(cat "$t/comm" 2>/dev/null)): $(cat "$t/wchan" 2>/dev/null)"
        done
      fi
    done
    echo "==> watchdog: killing '$*'"
    kill -KILL $procs 2>/dev/null
    wait "$pid" 2>/dev/null
    exit 124
  fi
  sleep 1
done
wait "$pid"
