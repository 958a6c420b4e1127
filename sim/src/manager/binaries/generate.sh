#!/bin/sh
# Regenerates installed.txt: the executables in /usr/bin and /usr/sbin (= /bin and /sbin on a
# merged-/usr Debian 12) of the reference machine, one name per line, sorted. The process model
# (../process.rs) runs a command from these directories only if it is listed; any other name
# there fails to execute (status 203/EXEC), as on the real machine.
#
# Usage: sh sim/src/manager/binaries/generate.sh > sim/src/manager/binaries/installed.txt
set -eu
for d in /usr/bin /usr/sbin; do
    for f in "$d"/*; do
        [ -x "$f" ] && [ ! -d "$f" ] && basename "$f"
    done
done | LC_ALL=C sort -u
