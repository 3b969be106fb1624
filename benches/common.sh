# Shared by the bench scripts (sourced, not run): installing a missing tool, a free port, a work
# directory removed on exit with the server started in it, and the cache-hostile stream's words.

need() { # command, Debian package
  command -v "$1" >/dev/null && return 0
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Sets $work to a new directory, removed on exit after killing $server (the pid of a server the
# script started there, or 0).
server=0
make_work_dir() { # name
  work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  trap cleanup EXIT
}
cleanup() {
  if [[ $server != 0 ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}

# The cache-hostile stream's vocabulary: the 3,000 commonest words of (up to) 50 entries.
hostile_words() { # content dir, words file to write
  find "$1/jurisdictions" -name '*.md' | sort | sed -n 1,50p | xargs cat | tr -cs 'a-z' '\n' \
    | awk 'length > 2' | sort | uniq -c | sort -rn | awk 'NR <= 3000 {print $2}' >"$2"
}
