// jurisdex offline search: searches the prebuilt index in assets/search/, from disk (file://) or
// any static host, without a server, loading only the parts a query needs. Tokenises exactly like
// `client_index::tokens` in the Rust code; ranks by BM25; corrects misspelt words as the server.
(function () {
  "use strict";

  // Hits shown at once; "More results" shows the next as many.
  var PAGE = 20;
  var MAX_QUERY = 1000;
  // Scripts written without spaces between words, indexed as character bigrams (see is_unspaced).
  var UNSPACED = /[\u0E00-\u0EFF\u1000-\u109F\uA9E0-\uA9FF\uAA60-\uAA7F\u1780-\u17FF\u19E0-\u19FF\u2E80-\u2FDF\u3040-\u30FF\u3100-\u312F\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\u{20000}-\u{3134F}]/u;
  var WORD = /[\p{Alphabetic}\p{N}]/u;
  // A combining mark (a virama, a nukta, an accent of its own) continues a word, never starts one
  // (`is_mark` in analysis.rs).
  var MARK = /\p{M}/u;
  var FILTER = /^(kind|jurisdiction|region|grouping):(\S+)$/i;
  // Citation markers and the words they stand for before a number, as `marker_at` in
  // src/search/citation.rs: a marker, then at most one full stop and spaces, then a digit.
  var MARKERS = {
    section: "section", sections: "section", s: "section", ss: "section", sec: "section",
    secs: "section", sect: "section", sects: "section", "\u00a7": "section", "\u00a7\u00a7": "section",
    article: "article", articles: "article", art: "article", arts: "article",
    paragraph: "paragraph", paragraphs: "paragraph", para: "paragraph", paras: "paragraph",
    "\u00b6": "paragraph", "\u00b6\u00b6": "paragraph"
  };
  var SYMBOL = /[\u00a7\u00b6]/;
  var CITED_NUMBER = /\.?[ \t\n\r\u00a0\u2009\u202f]*[0-9]/y;

  // The word the citation marker at lower.slice(start, end) stands for, or null: not the `s` of
  // a possessive, and followed by a number.
  function markerAt(lower, start, end) {
    var before = lower.charAt(start - 1);
    if (start > 0 && (before === "'" || before === "\u2019")) return null;
    CITED_NUMBER.lastIndex = end;
    if (!CITED_NUMBER.test(lower)) return null;
    var word = lower.slice(start, end);
    return Object.prototype.hasOwnProperty.call(MARKERS, word) ? MARKERS[word] : null;
  }

  // Lower-cased runs of letters and digits, of unspaced scripts and of citation symbols, each
  // with its place in the lower-cased text, the word it stands for if it is a citation marker,
  // and whether the run before it was one (it is then the marker's number):
  // [{text, kind, start, end, marker, cited}].
  function runs(text) {
    var lower = text.toLowerCase();
    var out = [], kind = null, start = 0, at = 0;
    var flush = function () {
      if (kind) {
        var previous = out[out.length - 1];
        out.push({
          text: lower.slice(start, at), kind: kind, start: start, end: at,
          marker: kind === "unspaced" ? null : markerAt(lower, start, at),
          cited: Boolean(previous && previous.marker)
        });
      }
    };
    Array.from(lower).forEach(function (c) {
      var next = UNSPACED.test(c) ? "unspaced" : WORD.test(c) || (kind === "spaced" && MARK.test(c)) ? "spaced" : SYMBOL.test(c) ? "symbols" : null;
      if (next !== kind) {
        flush();
        kind = next;
        start = at;
      }
      at += c.length;
    });
    flush();
    return out;
  }

  // The tokens of `tokens` in client_index.rs: words of two characters or more, unspaced runs as
  // bigrams, citation markers as the words they stand for, with their numbers however short.
  function tokens(text) {
    var out = [];
    runs(text).forEach(function (r) {
      var chars = Array.from(r.text);
      if (r.kind === "unspaced") {
        for (var i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
      } else if (r.marker) {
        out.push(r.marker);
      } else if (r.kind === "spaced" && (r.cited || chars.length >= 2)) {
        out.push(r.text);
      }
    });
    return out;
  }

  // The query's words split at spaces, a "quoted phrase" (straight or curly quotes, `-` before
  // it to exclude it) kept whole, and a citation marker joined to its number (`s 233`), as the
  // server's query parser reads them.
  function parts(q) {
    var out = [];
    (q.match(/-?["\u201c\u201d][^"\u201c\u201d]*["\u201c\u201d]?|[^\s"\u201c\u201d]+/g) || []).forEach(function (part) {
      var previous = out[out.length - 1];
      var marker = previous && previous.replace(/^-/, "").replace(/\.$/, "").toLowerCase();
      if (previous && /^[0-9]/.test(part) && Object.prototype.hasOwnProperty.call(MARKERS, marker)) {
        out[out.length - 1] = previous + " " + part;
      } else if (part) {
        out.push(part);
      }
    });
    return out;
  }

  function unique(list) {
    return list.filter(function (x, i) { return list.indexOf(x) === i; });
  }

  // Intersection of sorted posting lists.
  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; }
      else if (a[i] < b[j]) i++;
      else j++;
    }
    return out;
  }

  // Union of sorted posting lists.
  function union(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length || j < b.length) {
      if (j >= b.length || (i < a.length && a[i] < b[j])) out.push(a[i++]);
      else if (i >= a.length || b[j] < a[i]) out.push(b[j++]);
      else { out.push(a[i]); i++; j++; }
    }
    return out;
  }

  // Words (all must match), `-word` exclusions and `name:value[,value]` filters, as on the server;
  // the words of a "quoted phrase" must stand together. Each word part keeps its tokens, so that a
  // misspelt word can be replaced in the query shown.
  function parse(q) {
    var query = { words: [], terms: [], filters: [], excluded: [] };
    parts(q).forEach(function (part) {
      var filter = FILTER.exec(part);
      if (filter) {
        query.filters.push(filter[2].toLowerCase().split(",").filter(Boolean).map(function (v) {
          return filter[1].toLowerCase() + ":" + v;
        }));
      } else if (part.charAt(0) === "-" && part.length > 1) {
        var excluded = tokens(part.slice(1));
        if (excluded.length) query.excluded.push(excluded);
      } else {
        var found = tokens(part);
        query.words.push({ text: part, tokens: found });
        query.terms = query.terms.concat(found);
      }
    });
    query.terms = unique(query.terms);
    return query;
  }

  // Edits allowed for a word of this many characters, as `fuzzy_distance` in src/search/typo.rs.
  function fuzzyDistance(chars) {
    return chars <= 2 ? 0 : chars <= 7 ? 1 : 2;
  }

  // Optimal string alignment distance (a swap of neighbours is one edit), as `edit_distance`.
  function editDistance(a, b) {
    a = Array.from(a);
    b = Array.from(b);
    var previous = [], row = [], i, j;
    for (j = 0; j <= b.length; j++) row.push(j);
    for (i = 1; i <= a.length; i++) {
      var next = [i];
      for (j = 1; j <= b.length; j++) {
        var best = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, previous[j - 2] + 1);
        next.push(best);
      }
      previous = row;
      row = next;
    }
    return row[b.length];
  }

  // The index's parts, each loaded once by a <script> (fetch() fails on file://) that calls
  // jurisdexSearchPart(kind, number, data), see src/search/client_index/files.rs.
  function Index(meta, base) {
    this.meta = meta;
    this.base = base;
    this.parts = {};
    this.waiting = {};
    this.terms = {};
    this.own = {};
    this.positionLists = {};
  }

  Index.prototype.received = function (kind, number, data) {
    var key = kind + "/" + number;
    this.parts[key] = data;
    if (this.waiting[key]) this.waiting[key].resolve(data);
  };

  Index.prototype.part = function (kind, number) {
    var key = kind + "/" + number;
    if (Object.prototype.hasOwnProperty.call(this.parts, key)) return Promise.resolve(this.parts[key]);
    if (this.waiting[key]) return this.waiting[key].promise;
    var waiting = {};
    waiting.promise = new Promise(function (resolve, reject) {
      waiting.resolve = resolve;
      addScript(this.base + key + ".js").catch(function () {
        reject(new Error("assets/search/" + key + ".js"));
      });
    }.bind(this));
    this.waiting[key] = waiting;
    return waiting.promise;
  };

  // The shard of a term: FNV-1a (32 bits) of its UTF-8 bytes, as `shard_of` in Rust.
  Index.prototype.shardOf = function (term) {
    var hash = 0x811c9dc5;
    new TextEncoder().encode(term).forEach(function (byte) {
      hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
    });
    return hash % Math.max(1, this.meta.shards);
  };

  // Loads the shards of `terms`, then those of the other forms of their stems; then `postings`
  // answers for them.
  Index.prototype.load = function (terms) {
    var self = this;
    var shards = function (words) {
      return Promise.all(unique(words.map(function (t) { return self.shardOf(t); })).map(function (s) {
        return self.part("t", s);
      }));
    };
    return shards(terms).then(function () {
      return shards([].concat.apply([], terms.map(function (t) { return self.forms(t); })));
    });
  };

  // The other words of the index that share `term`'s stem (the server's English stemmer), from
  // `"~term"` in its shard: the server indexes stems, so a query for one finds them all.
  Index.prototype.forms = function (term) {
    var shard = this.parts["t/" + this.shardOf(term)];
    var key = "~" + term;
    return shard && Object.prototype.hasOwnProperty.call(shard, key) ? shard[key].split(" ") : [];
  };

  // The posting list of `term` and the other forms of its stem, merged: {ids, weights} with a
  // document's best weight among the forms, or null when no form is in any document.
  Index.prototype.postings = function (term) {
    if (Object.prototype.hasOwnProperty.call(this.terms, term)) return this.terms[term];
    var lists = [term].concat(this.forms(term)).map(this.ownPostings, this).filter(Boolean);
    var list = null;
    if (lists.length === 1) list = lists[0];
    else if (lists.length > 1) {
      var best = new Map();
      lists.forEach(function (l) {
        l.ids.forEach(function (id, i) { best.set(id, Math.max(best.get(id) || 0, l.weights[i])); });
      });
      var ids = Array.from(best.keys()).sort(function (a, b) { return a - b; });
      list = { ids: ids, weights: ids.map(function (id) { return best.get(id); }) };
    }
    this.terms[term] = list;
    return list;
  };

  // One word's own posting list, decoded from base64 (varint doc id deltas, each with a weight
  // byte): {ids, weights}, or null when the word is in no document.
  Index.prototype.ownPostings = function (term) {
    if (Object.prototype.hasOwnProperty.call(this.own, term)) return this.own[term];
    var shard = this.parts["t/" + this.shardOf(term)];
    var list = null;
    if (shard && Object.prototype.hasOwnProperty.call(shard, term)) {
      var bytes = atob(shard[term]);
      list = { ids: [], weights: [] };
      var id = 0, at = 0;
      while (at < bytes.length) {
        var delta = 0, shift = 0, byte;
        do {
          byte = bytes.charCodeAt(at++);
          delta += (byte & 0x7f) * Math.pow(2, shift);
          shift += 7;
        } while (byte & 0x80);
        id += delta;
        list.ids.push(id);
        list.weights.push(bytes.charCodeAt(at++));
      }
    }
    this.own[term] = list;
    return list;
  };

  // Loads the position shards of `terms` (the words of phrases); then `positions` answers.
  Index.prototype.loadPositions = function (terms) {
    var self = this;
    var words = [].concat.apply(terms, terms.map(function (t) { return self.forms(t); }));
    var shards = unique(words.map(function (t) { return self.shardOf(t); }));
    return Promise.all(shards.map(function (s) { return self.part("p", s); }));
  };

  // Where a term stands in each document of its posting list: a Map from document id to its
  // ascending positions, decoded from base64 (for each posting in order, the number of
  // positions, then the first and the gaps, as varints).
  Index.prototype.positions = function (term) {
    if (this.positionLists[term]) return this.positionLists[term];
    var byId = new Map();
    [term].concat(this.forms(term)).forEach(function (form) {
      this.ownPositions(form).forEach(function (positions, id) {
        var known = byId.get(id);
        byId.set(id, known ? known.concat(positions).sort(function (a, b) { return a - b; }) : positions);
      });
    }, this);
    this.positionLists[term] = byId;
    return byId;
  };

  // One word's own positions (see `positions`).
  Index.prototype.ownPositions = function (term) {
    var shard = this.parts["p/" + this.shardOf(term)];
    var list = this.ownPostings(term);
    var byId = new Map();
    if (list && shard && Object.prototype.hasOwnProperty.call(shard, term)) {
      var bytes = atob(shard[term]), at = 0;
      var next = function () {
        var n = 0, shift = 0, byte;
        do {
          byte = bytes.charCodeAt(at++);
          n += (byte & 0x7f) * Math.pow(2, shift);
          shift += 7;
        } while (byte & 0x80);
        return n;
      };
      list.ids.forEach(function (id) {
        var count = next(), position = 0, positions = [];
        for (var i = 0; i < count; i++) {
          position += next();
          positions.push(position);
        }
        byId.set(id, positions);
      });
    }
    return byId;
  };

  // Whether the `tokens` of a phrase stand next to one another, in order, in document `id`.
  Index.prototype.hasPhrase = function (tokens, id) {
    var lists = tokens.map(function (t) { return this.positions(t).get(id) || []; }, this);
    return lists[0].some(function (start) {
      return lists.every(function (positions, k) { return positions.indexOf(start + k) >= 0; });
    });
  };

  Index.prototype.ids = function (term) {
    var list = this.postings(term);
    return list ? list.ids : [];
  };

  // The indexed word closest to `word` (edit distance at most fuzzyDistance), the most frequent
  // of those closest, or null; as the server's `similar_words`, from the word lists by length.
  Index.prototype.correct = function (word) {
    var self = this;
    var length = Array.from(word).length;
    var allowed = fuzzyDistance(length);
    var lengths = this.meta.lengths.filter(function (l) { return Math.abs(l - length) <= allowed; });
    if (!allowed || !lengths.length) return Promise.resolve(null);
    return Promise.all(lengths.map(function (l) { return self.part("v", l); })).then(function (lists) {
      var best = allowed + 1, found = [];
      lists.forEach(function (list) {
        list.split(" ").forEach(function (candidate) {
          var d = editDistance(word, candidate);
          if (d < best) { best = d; found = [candidate]; }
          else if (d === best) found.push(candidate);
        });
      });
      if (!found.length) return null;
      return self.load(found).then(function () {
        found.sort(function (a, b) { return self.ids(b).length - self.ids(a).length || (a < b ? -1 : 1); });
        return found[0];
      });
    });
  };

  // The query with each misspelt word replaced by its correction: {query, corrected} where
  // corrected is the new query text, or null when no word needed one; a word of several
  // tokens, or one with no close word, cannot be corrected (query null).
  function corrections(index, q, query) {
    var missing = query.terms.filter(function (t) { return !index.postings(t); });
    if (!missing.length) return Promise.resolve({ query: query, corrected: null });
    var fixable = query.words.every(function (w) {
      return w.tokens.length === 1 || w.tokens.every(function (t) { return missing.indexOf(t) < 0; });
    });
    if (!fixable) return Promise.resolve({ query: null, corrected: null });
    return Promise.all(missing.map(function (t) { return index.correct(t); })).then(function (found) {
      if (found.indexOf(null) >= 0) return { query: null, corrected: null };
      var replace = function (token) {
        var at = missing.indexOf(token);
        return at < 0 ? token : found[at];
      };
      var text = parts(q).map(function (part) {
        var word = query.words.filter(function (w) { return w.text === part; })[0];
        return word && word.tokens.length === 1 ? replace(word.tokens[0]) : part;
      }).join(" ");
      var fixed = {
        words: query.words, terms: unique(query.terms.map(replace)),
        filters: query.filters, excluded: query.excluded
      };
      return { query: fixed, corrected: text };
    });
  }

  // The words of `query` made of several tokens ("quoted phrases", hyphenated words, citations
  // such as "s 233", unspaced text): their tokens must stand together, as on the server.
  function phrases(query) {
    return query.words.filter(function (w) { return w.tokens.length > 1; }).map(function (w) {
      return w.tokens;
    });
  }

  // The tokens whose positions `query` needs: those of its phrases, included or excluded.
  function phraseTerms(query) {
    var excluded = query.excluded.filter(function (words) { return words.length > 1; });
    return [].concat.apply([], phrases(query).concat(excluded));
  }

  // The ids of the documents matching `query`, best first: BM25 (each posting's weight, summed
  // over the words, times the word's idf), ties in site order.
  function rank(index, query) {
    var lists = query.terms.map(function (t) { return index.ids(t); });
    query.filters.forEach(function (values) {
      lists.push(values.map(function (v) { return index.ids(v); }).reduce(union, []));
    });
    if (!lists.length) return [];
    lists.sort(function (a, b) { return a.length - b.length; });
    var ids = lists.reduce(intersect);
    query.excluded.forEach(function (words) {
      var out = new Set(words.map(function (w) { return index.ids(w); }).reduce(intersect));
      ids = ids.filter(function (id) {
        return !out.has(id) || (words.length > 1 && !index.hasPhrase(words, id));
      });
    });
    phrases(query).forEach(function (tokens) {
      ids = ids.filter(function (id) { return index.hasPhrase(tokens, id); });
    });
    var n = index.meta.docs;
    var scores = new Float64Array(n);
    query.terms.forEach(function (t) {
      var list = index.postings(t);
      var df = list.ids.length;
      var idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      list.ids.forEach(function (id, i) { scores[id] += idf * list.weights[i]; });
    });
    return ids.sort(function (a, b) { return scores[b] - scores[a] || a - b; });
  }

  // The shown parts of documents `ids`: [{title, crumb, url, kind, text}], loading their chunks.
  function documents(index, ids) {
    var size = index.meta.chunk;
    var chunks = unique(ids.map(function (id) { return Math.floor(id / size); }));
    return Promise.all(chunks.map(function (c) { return index.part("d", c); })).then(function () {
      return ids.map(function (id) {
        var chunk = index.parts["d/" + Math.floor(id / size)];
        var at = id % size;
        var row = chunk[at];
        // A url on the page of the row before is written as its #anchor alone.
        var url = row[2];
        for (var i = at - 1; url.charAt(0) === "#" && i >= 0; i--) {
          url = chunk[i][2].split("#")[0] + url;
        }
        return { title: row[0], crumb: row[1], url: url, kind: index.meta.kinds[row[3]], text: row[4] };
      });
    });
  }

  // Appends `text` to `parent` as text nodes, with each occurrence of a word in <mark>, and each
  // citation marker standing for a marker of the query (`s` in `s 233` for `section 233`).
  function appendMarked(parent, text, words) {
    var lower = text.toLowerCase();
    var ranges = [];
    var markers = words.map(function (w) { return w.marker; }).filter(Boolean);
    // Lower-casing that changes the length would misplace the marks: show the text plain.
    if (lower.length === text.length) {
      words.forEach(function (w) {
        if (w.marker) return;
        var at = lower.indexOf(w.text);
        while (at >= 0) {
          var before = at > 0 ? lower.charAt(at - 1) : "";
          if (w.kind === "unspaced" || !before || !WORD.test(before)) ranges.push([at, at + w.text.length]);
          at = lower.indexOf(w.text, at + w.text.length);
        }
      });
      runs(text).forEach(function (r) {
        if (r.marker && markers.indexOf(r.marker) >= 0) ranges.push([r.start, r.end]);
      });
    }
    ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var last = 0;
    ranges.forEach(function (r) {
      if (r[0] < last) return;
      if (r[0] > last) parent.appendChild(document.createTextNode(text.slice(last, r[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(r[0], r[1]);
      parent.appendChild(mark);
      last = r[1];
    });
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // A query as the page names it: in quotation marks, or as typed when it has marks of its own,
  // as the server's search page does (its `quoted` filter).
  function quoted(q) {
    return /["\u201c\u201d]/.test(q) ? q : "\u201c" + q + "\u201d";
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function hit(doc, root, words) {
    var item = element("li", "hit");
    var heading = element("h2");
    var link = element("a", "", doc.title);
    link.setAttribute("href", root + doc.url);
    heading.appendChild(link);
    item.appendChild(heading);
    var crumb = element("p", "crumb", doc.crumb + " · ");
    crumb.appendChild(element("span", "tag kind", doc.kind));
    item.appendChild(crumb);
    var snippet = element("p", "snippet");
    appendMarked(snippet, doc.text, words);
    item.appendChild(snippet);
    return item;
  }

  // The words of `q` to mark in snippets.
  function marked(q) {
    return runs(parts(q).filter(function (part) {
      return !FILTER.test(part) && part.charAt(0) !== "-";
    }).join(" ")).filter(function (r) {
      return r.kind === "unspaced" || r.marker || (r.kind === "spaced" && (r.cited || Array.from(r.text).length >= 2));
    });
  }

  // The base address of the index's parts: beside its root script.
  function base() {
    var script = document.querySelector("script[src$='assets/search/index.js']");
    return script ? script.src.replace(/index\.js$/, "") : "";
  }

  function run() {
    var container = document.querySelector("[data-offline-results]");
    if (!container) return;
    var root = container.getAttribute("data-root") || "";
    var status = container.querySelector("[data-offline-status]");
    var notice = container.querySelector("[data-offline-corrected]");
    var list = container.querySelector("ol.hits");
    var more = container.querySelector("[data-offline-more]");
    var q = (new URLSearchParams(window.location.search).get("q") || "").slice(0, MAX_QUERY).trim();
    Array.prototype.forEach.call(document.querySelectorAll("input[name=q]"), function (input) {
      input.value = q;
    });
    var meta = window.JURISDEX_SEARCH;
    if (meta && meta.left_out) {
      status.textContent = "This copy of jurisdex (" + meta.left_out + " entries) was built without its offline search index: " +
        "search it on a jurisdex server, or build it again with `jurisdex build --static-search always`.";
      return;
    }
    if (!meta || !meta.shards || !meta.chunk) {
      status.textContent = "The search index could not be loaded (assets/search/index.js).";
      return;
    }
    if (!q) {
      status.textContent = "Search " + meta.docs + " sections of jurisdex, offline.";
      return;
    }
    document.title = "Search: " + q + " · jurisdex";
    var index = new Index(meta, base());
    window.jurisdexSearchPart = index.received.bind(index);
    var query = parse(q);
    var needed = query.terms.concat([].concat.apply([], query.filters), [].concat.apply([], query.excluded));
    status.textContent = "Searching…";
    index.load(needed).then(function () {
      return corrections(index, q, query);
    }).then(function (fixed) {
      if (!fixed.query) return { ids: [], corrected: null };
      return Promise.all([index.load(fixed.query.terms), index.loadPositions(phraseTerms(fixed.query))]).then(function () {
        return { ids: rank(index, fixed.query), corrected: fixed.corrected };
      });
    }).then(function (found) {
      var ids = found.ids;
      if (!ids.length) {
        status.textContent = "No results for " + quoted(q) + ". Try fewer or other words.";
        return;
      }
      var shownQuery = found.corrected || q;
      if (found.corrected) {
        // The server's wording: "No results for “x”. Showing results for “y”." with “y” a link.
        notice.textContent = "";
        notice.appendChild(document.createTextNode("No results for " + quoted(q) + ". Showing results for "));
        var link = element("a", "", quoted(found.corrected));
        link.setAttribute("href", "?q=" + encodeURIComponent(found.corrected));
        notice.appendChild(link);
        notice.appendChild(document.createTextNode("."));
        notice.hidden = false;
      }
      var words = marked(shownQuery);
      // The other forms of the words' stems are marked too (`blocked` for `blocking`).
      words = words.concat([].concat.apply([], words.map(function (w) {
        return w.marker || w.kind !== "spaced" ? [] : index.forms(w.text.toLowerCase()).map(function (form) {
          return { text: form, kind: "spaced" };
        });
      })));
      var shown = 0;
      var show = function () {
        var page = ids.slice(shown, shown + PAGE);
        shown += page.length;
        more.hidden = true;
        return documents(index, page).then(function (docs) {
          docs.forEach(function (doc) { list.appendChild(hit(doc, root, words)); });
          more.hidden = shown >= ids.length;
        });
      };
      more.addEventListener("click", function () {
        show().catch(failed);
      });
      // "Searching…" stays until the first hits are drawn.
      return show().then(function () {
        status.textContent = ids.length + " result" + (ids.length === 1 ? "" : "s") + " for " + quoted(shownQuery);
      });
    }).catch(failed);

    function failed(error) {
      status.textContent = "The search index could not be loaded (" + error.message + ").";
    }
  }

  // A script added to the page: resolves once it has run, rejects when it cannot be loaded.
  function addScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = function () { resolve(); };
      script.onerror = function () { reject(new Error(src)); };
      document.head.appendChild(script);
    });
  }

  // Calls `then` once the page's first contentful paint has been shown (as the browser reports
  // it), at once in a hidden tab (which paints nothing), and after a second at the latest.
  function afterFirstPaint(then) {
    var done = false;
    var once = function () {
      if (!done) { done = true; then(); }
    };
    var paints = window.PerformanceObserver && PerformanceObserver.supportedEntryTypes &&
      PerformanceObserver.supportedEntryTypes.indexOf("paint") >= 0;
    var painted = function (entries) {
      return entries.some(function (e) { return e.name === "first-contentful-paint"; });
    };
    if (document.hidden || !paints || painted(performance.getEntriesByType("paint"))) return once();
    new PerformanceObserver(function (list, observer) {
      if (painted(list.getEntries())) { observer.disconnect(); once(); }
    }).observe({ type: "paint" });
    setTimeout(once, 1000);
  }

  // This script is the page's only one before its first paint (each one requested then costs a
  // slow link a round trip before the page is drawn). Once the page is shown, it loads the
  // index's root file and app.js, named on its own tag relative to its own address, and searches.
  var own = document.currentScript;
  var beside = function (attribute) {
    var name = own && own.getAttribute(attribute);
    return name ? new URL(name, own.src).href : null;
  };
  function afterPaint() {
    var status = document.querySelector("[data-offline-status]");
    if (status && new URLSearchParams(window.location.search).get("q")) status.textContent = "Searching…";
    afterFirstPaint(function () {
      var app = beside("data-app");
      var root = beside("data-index");
      var ignore = function () {};
      if (app) addScript(app).catch(ignore);
      // Without its root file, the search says the index could not be loaded.
      (root && !window.JURISDEX_SEARCH ? addScript(root).catch(ignore) : Promise.resolve()).then(run);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", afterPaint);
  } else {
    afterPaint();
  }
})();
