// Redmark: small progressive enhancements. Every form works without this
// file; with it, likes, collects, follows, shares and comments go to the
// JSON API with fetch (cookie session + X-CSRF-Token) without a reload.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.content : "";

  function api(method, url, body) {
    var opts = { method: method, credentials: "same-origin", headers: { "X-CSRF-Token": csrf } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          var err = new Error((data.error && data.error.message) || res.statusText);
          err.status = res.status;
          throw err;
        }
        return data;
      });
    });
  }

  function toast(text) {
    var t = document.createElement("div");
    t.className = "toast";
    t.textContent = text;
    document.body.appendChild(t);
    setTimeout(function () { t.remove(); }, 1800);
  }

  // Toggle forms: like, collect (remove), comment like, follow. The hidden
  // "action" field says what the click does; the API answer gives the count.
  function toggle(form) {
    var action = form.elements.action;
    var on = action.value.indexOf("un") !== 0;
    var btn = form.querySelector("button");
    btn.disabled = true;
    return api(on ? "PUT" : "DELETE", form.dataset.api).then(function (data) {
      action.value = on ? action.value.replace(/^/, "un") : action.value.replace(/^un/, "");
      btn.classList.toggle("on", on);
      btn.setAttribute("aria-pressed", on ? "true" : "false");
      var count = form.querySelector("[data-count]");
      if (count && form.dataset.count in data) count.textContent = data[form.dataset.count];
      if (btn.dataset.yes) {
        btn.textContent = on ? btn.dataset.yes : btn.dataset.no;
        btn.classList.toggle("btn-red", !on);
        var fc = document.querySelector('[data-testid="follower-count"]');
        if (fc && "follower_count" in data) fc.textContent = data.follower_count;
      }
    });
  }

  function share(form) {
    return api("POST", form.dataset.share).then(function (data) {
      var count = form.querySelector("[data-count]");
      if (count) count.textContent = data.share_count;
      if (navigator.clipboard && data.share_url) {
        return navigator.clipboard.writeText(data.share_url).then(function () { toast(form.dataset.copied); });
      }
      window.location = "?shared=1#share";
    });
  }

  // comment posts a comment or reply and shows it at once, built with
  // textContent so nothing in it is ever parsed as HTML.
  function comment(form) {
    var box = form.elements.body;
    var body = { body: box.value };
    if (form.elements.parent_id) body.parent_id = form.elements.parent_id.value;
    return api("POST", form.dataset.comment, body).then(function (c) {
      var item = document.createElement("div");
      item.className = "comment";
      item.id = "c" + c.id;
      item.setAttribute("data-testid", "comment");
      var main = document.createElement("div");
      main.className = "comment-main";
      var who = document.createElement("div");
      who.className = "who";
      who.textContent = c.author ? c.author.display_name : "";
      var text = document.createElement("div");
      text.className = "body";
      text.setAttribute("data-testid", "comment-body");
      text.textContent = c.body;
      main.appendChild(who);
      main.appendChild(text);
      item.appendChild(main);
      var list = form.closest(".comment-main");
      if (list) {
        var replies = list.querySelector(".replies");
        if (!replies) {
          replies = document.createElement("div");
          replies.className = "replies";
          list.appendChild(replies);
        }
        replies.appendChild(item);
        form.closest("details").open = false;
      } else {
        var top = document.querySelector(".comment-list");
        var none = top.querySelector(".empty-comments");
        if (none) none.remove();
        top.insertBefore(item, top.firstChild);
      }
      box.value = "";
      document.querySelectorAll("[data-comment-count]").forEach(function (el) {
        el.textContent = String(Number(el.textContent) + 1);
      });
    });
    // A refusal (400) falls through to the plain form post, so the server
    // renders it from the catalogue in the reader's language.
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    var run = form.dataset.api ? toggle : form.dataset.share ? share : form.dataset.comment ? comment : null;
    if (!run || !window.fetch || (!csrf && !form.dataset.share)) return;
    e.preventDefault();
    run(form).catch(function (err) {
      if (err.status === 401) {
        window.location = "/login?next=" + encodeURIComponent(location.pathname);
        return;
      }
      form.submit(); // let the server render the outcome
    }).then(function () {
      var btn = form.querySelector("button");
      if (btn) btn.disabled = false;
    });
  });

  // Image swipe: scroll-snap does the swiping; keep the dots in step.
  document.querySelectorAll(".swipe").forEach(function (swipe) {
    var dots = swipe.parentNode.querySelectorAll(".dots span");
    if (!dots.length) return;
    swipe.addEventListener("scroll", function () {
      var i = Math.round(swipe.scrollLeft / swipe.clientWidth);
      dots.forEach(function (d, j) { d.classList.toggle("on", i === j); });
    }, { passive: true });
  });

  // Shop: after the payment page, the order page waits for the provider's
  // webhook; reload a few times until the status moves (data-poll goes).
  var poll = document.querySelector("[data-poll]");
  if (poll && window.sessionStorage) {
    var key = "poll:" + location.pathname;
    var n = Number(sessionStorage.getItem(key) || 0);
    if (n < 30) {
      sessionStorage.setItem(key, String(n + 1));
      setTimeout(function () { location.reload(); }, 1000);
    }
  } else if (window.sessionStorage) {
    sessionStorage.removeItem("poll:" + location.pathname);
  }
  // The sandbox's confirm button says "paying…" while the form posts.
  document.querySelectorAll("[data-busy]").forEach(function (btn) {
    btn.form.addEventListener("submit", function (e) {
      if (e.submitter === btn) btn.textContent = btn.dataset.busy;
    });
  });

  // The share link field selects itself for copying.
  var shareURL = document.querySelector('[data-testid="share-url"]');
  if (shareURL) shareURL.addEventListener("focus", function () { shareURL.select(); });
})();

// Discover feed: "not interested" reports an event and removes the card
// (or confirms on the note page) without a reload.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (!meta || !window.fetch) return;
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.dataset || !form.dataset.hide) return;
    e.preventDefault();
    fetch("/api/v1/events", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": meta.content },
      body: JSON.stringify({ events: [{ type: "not_interested", note_id: form.dataset.hide }] })
    }).then(function (res) {
      if (!res.ok) throw new Error(res.statusText);
      var card = form.closest(".card");
      if (card) card.remove();
      var t = document.createElement("div");
      t.className = "toast";
      t.textContent = form.dataset.done;
      document.body.appendChild(t);
      setTimeout(function () { t.remove(); }, 1800);
    }).catch(function () { form.submit(); });
  });
})();

// Search: completions as you type, from /api/v1/search/suggest. Items are
// built with textContent (never HTML from user text); Enter without a pick
// submits the form as usual.
(function () {
  "use strict";
  if (!window.fetch) return;
  var hrefs = {
    notes: function (s) { return "/search?q=" + encodeURIComponent(s.text); },
    topics: function (s) { return "/t/" + encodeURIComponent(s.text); },
    users: function (s) { return "/search?type=users&q=" + encodeURIComponent(s.text); }
  };
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var box = document.createElement("ul");
    box.className = "suggest";
    box.hidden = true;
    box.setAttribute("data-testid", "suggest-list");
    input.parentNode.appendChild(box);
    var timer = 0, seq = 0;
    function close() { box.hidden = true; box.textContent = ""; }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { close(); return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        fetch("/api/v1/search/suggest?limit=8&q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (res) { return res.ok ? res.json() : { items: [] }; })
          .then(function (data) {
            if (mine !== seq) return; // an older answer arriving late
            box.textContent = "";
            (data.items || []).forEach(function (s) {
              var li = document.createElement("li");
              var a = document.createElement("a");
              a.href = (hrefs[s.type] || hrefs.notes)(s);
              a.textContent = (s.type === "topics" ? "#" : s.type === "users" ? "@" : "") + s.text;
              li.appendChild(a);
              box.appendChild(li);
            });
            box.hidden = box.children.length === 0;
          }).catch(close);
      }, 150);
    });
    input.addEventListener("keydown", function (e) { if (e.key === "Escape") close(); });
    document.addEventListener("click", function (e) { if (!input.parentNode.contains(e.target)) close(); });
  });
})();

// Recent searches of a signed-out reader are kept in this browser only
// (localStorage), never sent to the server; a signed-in user's are kept by
// the server (the page lists them itself).
(function () {
  "use strict";
  var KEY = "redmark.recentSearches", MAX = 10;
  function load() {
    try { var v = JSON.parse(localStorage.getItem(KEY) || "[]"); return Array.isArray(v) ? v : []; } catch (e) { return []; }
  }
  function save(v) { try { localStorage.setItem(KEY, JSON.stringify(v)); } catch (e) {} }
  var rem = document.querySelector("[data-remember-search]");
  if (rem) {
    var q = rem.getAttribute("data-remember-search").trim().replace(/\s+/g, " ");
    if (q) {
      var kept = load().filter(function (x) { return typeof x === "string" && x.toLowerCase() !== q.toLowerCase(); });
      kept.unshift(q);
      save(kept.slice(0, MAX));
    }
  }
  var box = document.querySelector("[data-local-recent]");
  if (!box) return;
  var list = box.querySelector(".chips"), items = load();
  items.forEach(function (q) {
    if (typeof q !== "string") return;
    var a = document.createElement("a");
    a.className = "chip";
    a.href = "/search?q=" + encodeURIComponent(q);
    a.textContent = q;
    a.setAttribute("data-testid", "recent-search");
    list.appendChild(a);
  });
  box.hidden = list.children.length === 0;
  box.querySelector("[data-testid=recent-clear]").addEventListener("click", function () {
    try { localStorage.removeItem(KEY); } catch (e) {}
    list.textContent = "";
    box.hidden = true;
  });
})();

// Flash sale page: a countdown corrected by the server's clock, then the
// live remaining stock (polled), then sold out or ended.
(function () {
  var el = document.querySelector("[data-flash]");
  if (!el) return;
  var starts = +el.dataset.starts, ends = +el.dataset.ends, skew = +el.dataset.now - Date.now();
  var clock = el.querySelector(".flash-clock"), status = el.querySelector(".flash-status");
  var left = el.querySelector(".flash-left"), bar = el.querySelector(".flash-bar span");
  var buy = el.querySelector("[data-testid=flash-buy]"), state = el.dataset.status, polled = 0;
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function hms(ms) {
    var s = Math.max(0, Math.ceil(ms / 1000));
    return two(Math.floor(s / 3600)) + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60);
  }
  function show(next, remaining) {
    if (remaining !== undefined) {
      left.textContent = remaining;
      bar.style.width = (100 * remaining / +bar.dataset.stock) + "%";
    }
    if (next === state) return;
    state = next;
    el.dataset.status = next;
    status.textContent = status.dataset["label" + next.replace(/_(\w)/, function (_, c) { return c.toUpperCase(); }).replace(/^./, function (c) { return c.toUpperCase(); })];
    if (buy) buy.disabled = next !== "live";
  }
  function poll() {
    fetch("/api/v1/flash-sales/" + el.dataset.flash, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) { if (s) show(s.status, s.remaining); })
      .catch(function () {});
  }
  function tick() {
    var now = Date.now() + skew;
    if (now < starts) {
      clock.textContent = clock.dataset.labelStart + " " + hms(starts - now);
    } else if (now < ends) {
      clock.textContent = clock.dataset.labelEnd + " " + hms(ends - now);
      if (state === "upcoming") show("live");
      if (state !== "ended" && now - polled > 2000) { polled = now; poll(); }
    } else {
      clock.textContent = "";
      show("ended");
    }
  }
  show(state, +left.textContent);
  tick();
  setInterval(tick, 250);
})();

// Campaign page: the leaderboards follow the server's stream of tallies
// (server-sent events), re-ranked as they change.
(function () {
  var el = document.querySelector("[data-campaign]");
  if (!el || !window.EventSource) return;
  var es = new EventSource("/campaigns/" + el.dataset.campaign + "/live");
  es.onmessage = function (ev) {
    var data;
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    (data.categories || []).forEach(function (c) {
      var list = el.querySelector("[data-category='" + c.id + "']");
      if (!list) return;
      c.nominees.forEach(function (n) {
        var li = list.querySelector("[data-nominee='" + n.id + "']");
        if (!li) return;
        li.querySelector(".nominee-votes").textContent = n.votes;
        list.appendChild(li); // in the server's order: by score
      });
    });
    el.dataset.live = "1";
  };
})();

// Analytics on the note page: the view when it opens, the time it was
// read when it is left, and clicks on its product cards — one stream,
// POST /api/v1/events, sent with keepalive so leaving the page keeps them.
(function () {
  "use strict";
  var wrap = document.querySelector(".note-wrap[data-note-id]");
  if (!wrap || !window.fetch) return;
  var meta = document.querySelector('meta[name="csrf-token"]');
  var note = wrap.dataset.noteId;
  function send(evs) {
    var h = { "Content-Type": "application/json" };
    if (meta && meta.content) h["X-CSRF-Token"] = meta.content;
    fetch("/api/v1/events", { method: "POST", credentials: "same-origin", keepalive: true, headers: h,
      body: JSON.stringify({ events: evs }) }).catch(function () {});
  }
  send([{ type: "open", note_id: note }]);
  var shown = document.visibilityState === "visible" ? Date.now() : 0, read = 0, sent = false;
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { shown = Date.now(); return; }
    if (shown) { read += Date.now() - shown; shown = 0; }
    if (!sent && read > 0) { sent = true; send([{ type: "dwell", note_id: note, dwell_ms: Math.min(read, 6 * 3600 * 1000) }]); }
  });
  wrap.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[data-product-id]");
    if (a) send([{ type: "product_click", note_id: note, product_id: a.dataset.productId }]);
  });
})();
