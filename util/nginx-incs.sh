#!/bin/sh
# Prints the -I options of a configured nginx tree: the include folders
# that nginx's configure chose (objs/Makefile's ALL_INCS, as make itself
# reads them), with the tree's relative ones made absolute.  The unit
# tests and the fuzzers compile nginx's headers with these, so that they
# see what the module sees: src/event/quic in an nginx with HTTP/3, and
# whatever a later nginx adds.
#
#   util/nginx-incs.sh TREE      (TREE: util/build.sh's BUILD_DIR/nginx)

set -eu

tree=$(cd "$1" && pwd)

if [ ! -f "$tree/objs/Makefile" ]; then
    echo "$0: $tree is not configured (make module)" >&2
    exit 1
fi

incs=$(printf 'mta_sts_incs:\n\t@echo $(ALL_INCS)\n' \
       | make -s --no-print-directory -C "$tree" -f objs/Makefile -f - \
              mta_sts_incs)

for i in $incs; do
    i=${i#-I}
    case $i in
    '') ;;
    /*) printf -- '-I %s ' "$i" ;;
    *)  printf -- '-I %s/%s ' "$tree" "$i" ;;
    esac
done
echo
