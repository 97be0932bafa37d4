#!/bin/sh
# Runs QEMU ("$@") and kills it as soon as its standard input reaches end of file. The harness
# keeps that pipe open for the guest's whole life, so when the harness dies in any way (test
# timeout, Ctrl-C, SIGKILL of the test host) the kernel closes the pipe and no QEMU outlives it.
exec 3<&0
"$@" < /dev/null &
qemu=$!
( while read -r _; do :; done <&3; kill -9 "$qemu" 2>/dev/null ) &
watcher=$!
exec 3<&-
wait "$qemu"
rc=$?
kill "$watcher" 2>/dev/null
exit "$rc"
