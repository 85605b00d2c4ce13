/* The search page's enhancements: filters that apply when ticked, and the map of the current selection
   (Leaflet + markercluster from their PyPI packages; the world outline is bundled, no tile server). */
(function () {
  "use strict";
  var form = document.getElementById("browse-form");
  var filters = document.getElementById("filters");

  // Filters apply as soon as one is ticked; the button stays for keyboard users who prefer it.
  if (form && filters) {
    var hint = document.createElement("p");
    hint.className = "hint";
    hint.textContent = "The list updates as soon as you tick a box.";
    filters.insertBefore(hint, filters.querySelector("fieldset"));
    filters.addEventListener("change", function (event) {
      if (event.target && event.target.type === "checkbox") form.submit();
    });
    if (window.matchMedia && window.matchMedia("(max-width: 52rem)").matches) filters.open = false;
  }

  var element = document.getElementById("map");
  var status = document.getElementById("map-status");
  if (!element || typeof L === "undefined") return;
  element.hidden = false;
  status.hidden = false;
  status.textContent = "Loading the map…";

  var map = L.map(element, { worldCopyJump: true, minZoom: 2, maxZoom: 16, zoomSnap: 0.5 });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  map.attributionControl.addAttribution("Boundaries: Natural Earth");
  map.setView([52, 5], 4);

  fetch("/static/world/countries-50m.json").then(function (r) { return r.json(); }).then(function (topology) {
    var world = window.ourdataTopojson.feature(topology, "countries");
    L.geoJSON(world, {
      interactive: false,
      style: { color: "#8aa0b3", weight: 0.7, fillColor: "#fbfaf6", fillOpacity: 1 }
    }).addTo(map).bringToBack();
  }).catch(function () { /* the markers still show on the plain background */ });

  var icon = L.divIcon({ className: "dot-icon", iconSize: [12, 12] });

  function docHref(id) {
    return /^https?:/.test(id) ? id : "/doc/" + id;
  }

  fetch(element.getAttribute("data-points"), { headers: { Accept: "application/json" } })
    .then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    })
    .then(function (data) {
      var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50 });
      var markers = data.points.map(function (p) {
        var marker = L.marker([p[0], p[1]], { icon: icon, title: p[2], alt: p[2] });
        marker.bindPopup(function () {
          var link = document.createElement("a");
          link.href = docHref(p[3]);
          link.textContent = p[2];
          return link;
        });
        return marker;
      });
      map.addLayer(cluster);
      cluster.addLayers(markers); // in chunks: the page stays responsive at 10k points
      if (markers.length) {
        var bounds = L.latLngBounds(data.points.map(function (p) { return [p[0], p[1]]; }));
        map.fitBounds(bounds, { maxZoom: 10, padding: [20, 20] });
      }
      var missing = data.total - markers.length;
      status.textContent = markers.length.toLocaleString("en") + " on the map" +
        (missing > 0 ? "; " + missing.toLocaleString("en") + " without coordinates are in the list only." : ".");
      element.setAttribute("data-markers", String(markers.length));
    })
    .catch(function (error) {
      status.textContent = "The map could not be loaded (" + error.message + "); the list below is complete.";
    });
})();
