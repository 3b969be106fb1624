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

# The broad stream's vocabulary: the 60 commonest words a reader sees in (up to) 50 entries, leaving
# out English function words ("the", "which"), which a reader does not search for.
broad_words() { # content dir, words file to write
  local function_words='^(and|are|any|but|for|from|has|have|had|its|not|the|that|this|these|those|their|there|they|them|then|than|was|were|with|which|who|whom|will|would|what|when|where|also|only|other|such|into|been|being|does|each|some|upon|may|can|all|one|more|most|our|out|per|via)$'
  # The text a reader sees: no YAML keys, no addresses, in lower case.
  find "$1/jurisdictions" -name '*.md' | sort | sed -n 1,50p | xargs cat \
    | sed -E 's#https?://[^ ]*##g; s/^[[:space:]-]*[a-z_]+:[[:space:]]*//' | tr 'A-Z' 'a-z' | tr -cs 'a-z' '\n' \
    | awk 'length > 2' | grep -Ev "$function_words" | sort | uniq -c | sort -rn | awk 'NR <= 60 {print $2}' >"$2"
}
