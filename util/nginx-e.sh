#!/bin/sh
# The nginx that "make test" gives Test::Nginx.  Debian's nginx is built
# with --error-log-path=stderr, so what nginx says while it reads the
# configuration (our [emerg] and [warn] lines) would never reach the
# logs/error.log that Test::Nginx checks; "-e" puts it there, as an nginx
# built with the default error log path does by itself.

exec "${MTA_STS_NGINX:-/usr/sbin/nginx}" -e logs/error.log "$@"
