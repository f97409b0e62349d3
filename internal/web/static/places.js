// The destination map: Leaflet over the configured tile server, with one
// circle per place that has notes. Without the script or the tiles the
// list of places under the map is the fallback.
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("map");
  if (!el || !window.L) return;
  var pins = JSON.parse(el.dataset.pins || "[]");
  if (!pins.length) { el.remove(); return; }
  var map = L.map(el).setView([pins[0].lat, pins[0].lng], 11);
  L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: el.dataset.attribution }).addTo(map);
  var bounds = [];
  pins.forEach(function (p) {
    var m = L.circleMarker([p.lat, p.lng], { radius: 6 + Math.min(10, p.notes), color: "#ff2442" }).addTo(map);
    var a = document.createElement("a");
    a.href = "/places/" + encodeURIComponent(p.slug);
    a.textContent = p.name + " · " + p.notes;
    m.bindPopup(a);
    bounds.push([p.lat, p.lng]);
  });
  if (bounds.length > 1) map.fitBounds(bounds, { padding: [20, 20] });
});
