/* The map view of a table's rows (regionaliot_datastore): the points come from
 * /regionaliot/rows/<resource>/points.json ([lat, lon, _id], read as the viewer), are
 * clustered by leaflet.markercluster, and a click asks datastore_search for that one row
 * and shows it in a popup (text only: every cell goes through textContent). */
(function () {
  "use strict";

  function text(el, name) { return el.getAttribute("data-" + name) || ""; }

  function rowTable(record) {
    var wrap = document.createElement("div");
    wrap.className = "regionaliot-rows-popup";
    var table = document.createElement("table");
    Object.keys(record).forEach(function (key) {
      if (key === "_id" || key === "_full_text") { return; }
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      var td = document.createElement("td");
      th.textContent = key;
      td.textContent = record[key] === null ? "" : String(record[key]);
      tr.appendChild(th);
      tr.appendChild(td);
      table.appendChild(tr);
    });
    wrap.appendChild(table);
    return wrap;
  }

  function showRow(el, marker, id) {
    var params = new URLSearchParams({
      resource_id: text(el, "resource-id"),
      filters: JSON.stringify({ _id: id }),
      limit: "1"
    });
    marker.bindPopup(text(el, "msg-loading")).openPopup();
    fetch(text(el, "row-url") + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        var records = body && body.success && body.result.records;
        marker.setPopupContent(records && records.length ? rowTable(records[0])
                                                          : text(el, "msg-row-error"));
      })
      .catch(function () { marker.setPopupContent(text(el, "msg-row-error")); });
  }

  function start(el) {
    var status = document.getElementById(el.id + "-status");
    // maxZoom on the map itself: marker clustering needs one even without a tile layer.
    var map = L.map(el, { preferCanvas: true, maxZoom: 18 }).setView([34.75, 133.65], 10);
    var tiles = text(el, "tiles");
    if (tiles) {
      L.tileLayer(tiles, { attribution: text(el, "attribution"), maxZoom: 18 }).addTo(map);
    }
    var icon = L.divIcon({ className: "regionaliot-rows-marker", iconSize: [12, 12] });
    var cluster = L.markerClusterGroup({ chunkedLoading: true });
    fetch(text(el, "points-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (body.error) { status.textContent = body.error; return; }
        var markers = body.points.map(function (p) {
          var marker = L.marker([p[0], p[1]], { icon: icon, keyboard: true, title: String(p[2]) });
          marker.on("click", function () { showRow(el, marker, p[2]); });
          return marker;
        });
        cluster.addLayers(markers);
        map.addLayer(cluster);
        el.setAttribute("data-points", String(markers.length));
        var message = text(el, "msg-shown").replace("{count}", markers.length)
          .replace("{skipped}", body.skipped);
        if (body.truncated) { message += " " + text(el, "msg-truncated"); }
        status.textContent = message;
        if (markers.length) { map.fitBounds(cluster.getBounds(), { maxZoom: 15, padding: [20, 20] }); }
      })
      .catch(function (error) {
        status.textContent = text(el, "msg-error");
        window.console.error("regionaliot rows map:", error);  // seen by the browser tests
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".regionaliot-rows-map[data-points-url]"), start);
  });
}());
