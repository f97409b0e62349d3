// Live rooms: play the HLS stream (natively where the browser can, else
// with the vendored hls.js), and reload the page when a scheduled live goes
// on air or a pending replay is ready.
(function () {
  'use strict';
  var room = document.querySelector('[data-live-id]');
  if (!room) return;
  var id = room.getAttribute('data-live-id');

  var video = room.querySelector('video[data-hls]');
  if (video) {
    var src = video.getAttribute('data-hls');
    var wait = room.querySelector('.live-wait');
    // hls.js wherever Media Source Extensions exist (the same player
    // everywhere), the browser's own HLS (iPhone Safari) otherwise.
    if (window.Hls && window.Hls.isSupported()) {
      // No worker: the page's CSP allows scripts from this site only.
      var hls = new window.Hls({ enableWorker: false, liveSyncDurationCount: 2, manifestLoadingMaxRetry: 20, manifestLoadingRetryDelay: 1000 });
      hls.on(window.Hls.Events.ERROR, function (_, data) {
        if (!data.fatal) return;
        if (wait) wait.hidden = false;
        if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
        else setTimeout(function () { hls.loadSource(src); }, 2000);
      });
      hls.on(window.Hls.Events.FRAG_BUFFERED, function () { if (wait) wait.hidden = true; });
      hls.loadSource(src);
      hls.attachMedia(video);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = src;
    }
    video.addEventListener('playing', function () { room.setAttribute('data-playing', '1'); });
    var p = video.play();
    if (p && p.catch) p.catch(function () {});
  }

  // Watch for the status to change (scheduled → live, replay ready).
  var watched = room.querySelector('[data-watch-status]');
  var status = room.getAttribute('data-status');
  if (!watched && status !== 'live') return;
  setInterval(function () {
    fetch('/api/v1/lives/' + id, { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (l) {
        if (!l) return;
        if (l.status !== status || (watched && l.replay_status === 'ready')) location.reload();
      }).catch(function () {});
  }, 5000);
})();
