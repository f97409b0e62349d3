// Redmark live chat: mounts the chat panel in <section id="live-chat"
// data-live="…">, follows the room's event stream (SSE), sends messages
// and hearts over the JSON API, and — on a page with a <video> — sends
// watch-time heartbeats while the video plays in a visible tab. Strings
// come from the server-rendered panel (data-t-*), never from this file.
(function () {
  "use strict";
  var root = document.getElementById("live-chat");
  if (!root || !window.fetch || !window.EventSource) return;
  var live = root.dataset.live;
  var api = "/api/v1/lives/" + encodeURIComponent(live);
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.content : "";

  function call(method, path, body) {
    var opts = { method: method, credentials: "same-origin", headers: { "X-CSRF-Token": csrf }, keepalive: path === "/watch" };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(api + path, opts).then(function (res) {
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

  fetch("/livechat/" + encodeURIComponent(live) + "/panel", { credentials: "same-origin" })
    .then(function (res) { return res.ok ? res.text() : Promise.reject(res.status); })
    .then(function (html) {
      root.innerHTML = html;
      mount(root.querySelector(".lc"));
    })
    .catch(function () {});

  function mount(panel) {
    var t = panel.dataset;
    var list = panel.querySelector(".lc-list");
    var note = panel.querySelector(".lc-note");
    var viewers = panel.querySelector(".lc-viewers");
    var hearts = panel.querySelector(".lc-hearts");
    var seen = {};
    var newest = "";

    function say(text) {
      note.textContent = text;
      note.hidden = !text;
    }
    function fmt(s, n) { return s.replace("%d", String(n)); }

    function add(m) {
      if (seen[m.id]) return;
      seen[m.id] = true;
      if (!newest || BigInt(m.id) > BigInt(newest)) newest = m.id;
      var atEnd = list.scrollTop + list.clientHeight >= list.scrollHeight - 30;
      var li = document.createElement("li");
      li.dataset.id = m.id;
      li.setAttribute("data-testid", "livechat-message");
      if (m.host) {
        var tag = document.createElement("span");
        tag.className = "lc-tag";
        tag.textContent = t.tHost;
        li.appendChild(tag);
      }
      var name = document.createElement("span");
      name.className = "lc-name";
      name.textContent = m.user.display_name || m.user.username;
      var body = document.createElement("span");
      body.className = "lc-body";
      body.textContent = m.body; // plain text, never markup
      li.appendChild(name);
      li.appendChild(body);
      if (t.mod && !m.host && m.user.id !== t.me) li.appendChild(modTools(m));
      list.appendChild(li);
      while (list.children.length > 300) list.removeChild(list.firstChild);
      if (atEnd) list.scrollTop = list.scrollHeight;
    }

    function modTools(m) {
      var box = document.createElement("span");
      box.className = "lc-mod";
      [[t.tDelete, "DELETE", "/chat/messages/" + m.id, undefined, "delete"],
       [t.tMute, "PUT", "/chat/mutes/" + m.user.id, { minutes: 10 }, "mute"],
       [t.tBan, "PUT", "/chat/bans/" + m.user.id, undefined, "ban"]].forEach(function (a) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = a[0];
        b.setAttribute("data-testid", "livechat-" + a[4]);
        b.addEventListener("click", function () {
          call(a[1], a[2], a[3]).then(function () { say(t.tDone); }, function () { say(t.tFailed); });
        });
        box.appendChild(b);
      });
      return box;
    }

    function remove(id) {
      var li = list.querySelector('li[data-id="' + id + '"]');
      if (li) li.remove();
    }

    function state(s) {
      if (s.viewers !== undefined) viewers.textContent = fmt(t.tViewers, s.viewers);
      if (s.hearts !== undefined) hearts.textContent = fmt(t.tHearts, s.hearts);
    }

    function connect() {
      var es = new EventSource(api + "/chat/stream" + (newest ? "?after=" + newest : ""));
      es.addEventListener("state", function (e) { state(JSON.parse(e.data)); say(""); });
      es.addEventListener("message", function (e) { add(JSON.parse(e.data)); });
      es.addEventListener("delete", function (e) { remove(JSON.parse(e.data).id); });
      es.addEventListener("viewers", function (e) { state({ viewers: JSON.parse(e.data).n }); });
      es.addEventListener("hearts", function (e) {
        state({ hearts: JSON.parse(e.data).total });
        hearts.classList.remove("pop");
        void hearts.offsetWidth;
        hearts.classList.add("pop");
      });
      es.onerror = function () {
        if (es.readyState === EventSource.CLOSED) {
          // Refused (banned, unknown live) or dropped for lagging: try
          // again in a while, from the newest message seen.
          say(t.tOffline);
          setTimeout(connect, 5000);
        }
      };
    }

    // History first (oldest at the top), then the stream from the newest.
    call("GET", "/chat/messages?limit=50").then(function (page) {
      page.items.reverse().forEach(add);
    }).catch(function () {}).then(connect);

    var form = panel.querySelector(".lc-form");
    if (!form) return;
    var input = form.querySelector("input");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      call("POST", "/chat/messages", { body: text }).then(function (m) {
        input.value = "";
        say("");
        add(m);
      }, function (err) {
        say({ 403: err.message.indexOf("banned") >= 0 ? t.tBanned : t.tMuted, 409: t.tEnded, 429: t.tSlow }[err.status] || t.tFailed);
      });
    });

    // Hearts: taps are gathered and sent at most once a second.
    var taps = 0, timer = 0;
    var heart = form.querySelector(".lc-heart");
    heart.addEventListener("click", function () {
      taps++;
      heart.classList.remove("pop");
      void heart.offsetWidth;
      heart.classList.add("pop");
      if (timer) return;
      timer = setTimeout(function () {
        var n = Math.min(taps, 20);
        taps = 0;
        timer = 0;
        call("POST", "/chat/hearts", { count: n }).catch(function () {});
      }, 1000);
    });

    watch();
  }

  // Watch-time heartbeats: every 30 s while the page's video plays in a
  // visible tab; a closing beat on pause, end or hide. The tab id stays
  // with this tab (sessionStorage), so the server can tell tabs apart.
  function watch() {
    var video = document.querySelector("video");
    if (!video || !csrf) return;
    var tab = sessionStorage.getItem("rm-watch-tab");
    if (!tab) {
      var b = new Uint8Array(12);
      crypto.getRandomValues(b);
      tab = Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
      sessionStorage.setItem("rm-watch-tab", tab);
    }
    var on = false;
    // Watching: a visible tab whose video plays and has frames to show (a
    // stalled stream, readyState 2 or less, earns nothing either).
    function watching() { return !document.hidden && !video.paused && !video.ended && video.readyState > 2; }
    function beat(playing) {
      call("POST", "/watch", { tab: tab, playing: playing }).catch(function () {});
    }
    function check() {
      var now = watching();
      if (now !== on) {
        on = now;
        beat(now);
      }
    }
    ["play", "playing", "pause", "ended", "waiting", "stalled"].forEach(function (ev) { video.addEventListener(ev, check); });
    document.addEventListener("visibilitychange", check);
    window.addEventListener("pagehide", function () { if (on) beat(false); });
    setInterval(function () { if (on && watching()) beat(true); else check(); }, 30000);
    check();
  }
})();
