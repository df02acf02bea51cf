/* foxbat76 map client: the dashboard's map and the exported page draw with this one file.
 *
 * Python (geo/store.py) sends an item store: per item its coordinates, Leaflet options per
 * state, escaped popup and tooltip HTML, and its state on every day of the scope (and on
 * 6 Sep at every replay step). This file only looks states up and draws them; it holds no
 * time rule and computes no geometry. A view is {day: "YYYY-MM-DD", at: "HH:MM" | null,
 * layers: [layer ids]}.
 */
(function () {
    "use strict";

    var CODES = {a: "active", t: "trail"};
    var PANES = [  // trail under the day's items; markers above paths; the MiG above all
        ["fx-trail", 390], ["fx-active", 410],
        ["fx-trail-marker", 590], ["fx-active-marker", 610], ["fx-labels", 615],
        ["fx-mig", 620]
    ];
    var HERE_PIXELS = 12;  // a click reaches every item drawn this close to it
    var FOCUS_ZOOM = 8;
    var KIND_RANK = {line: 1, polygon: 2};  // "Jump to event" zooms in no further than this
    var NOTHING_HERE = "<p class=\"fx-popup\">Nothing is drawn at the centre of the map (the " +
        "ring). Pan with the arrow keys, zoom with + and &minus;, then press Enter.</p>";
    var NEAR_DAYS = 7;  // a move of up to this many days looks only at the items that change
    var fx = window.fx = window.fx || {};

    function escapeHtml(text) {
        return String(text).replace(/[&<>"']/g, function (c) {
            return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"}[c];
        });
    }

    // Every [lat, lon] pair in nested coordinate arrays, grouped by innermost list.
    function paths(coords) {
        if (typeof coords[0] === "number") { return [[coords]]; }
        if (typeof coords[0][0] === "number") { return [coords]; }
        return coords.reduce(function (all, part) { return all.concat(paths(part)); }, []);
    }

    function segmentDistance(p, a, b) {
        var dx = b.x - a.x, dy = b.y - a.y, length = dx * dx + dy * dy;
        var t = length ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length))
            : 0;
        return p.distanceTo(L.point(a.x + t * dx, a.y + t * dy));
    }

    function inside(p, ring) {
        var result = false;
        for (var i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
            var a = ring[i], b = ring[j];
            if ((a.y > p.y) !== (b.y > p.y) &&
                p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) { result = !result; }
        }
        return result;
    }

    function fetchJson(url) {
        return fetch(url).then(function (response) {
            if (!response.ok) { throw new Error(url + ": " + response.status); }
            return response.json();
        });
    }

    function svgIcon(inner, size, className) {
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + size +
            "\" height=\"" + size + "\" viewBox=\"0 0 20 20\">" + inner + "</svg>";
        return L.divIcon({html: svg, className: "fx-icon " + className,
                          iconSize: [size, size], iconAnchor: [size / 2, size / 2]});
    }

    // The marker polygon of a square/diamond/triangle item; colours were checked in Python.
    function shapeSvg(points, o) {
        return "<polygon points=\"" + points + "\" fill=\"" + o.fillColor +
            "\" fill-opacity=\"" + o.fillOpacity + "\" stroke=\"" + o.color +
            "\" stroke-width=\"2.5\" stroke-opacity=\"" + o.opacity + "\"/>";
    }

    // A square, diamond or triangle marker drawn on a canvas: the shape's points (in the SVG
    // icons' 20 x 20 box) scaled to the marker's size, filled and stroked as Leaflet paths are.
    var CanvasShape = L.CircleMarker.extend({
        _updatePath: function () {
            var renderer = this._renderer, ctx = renderer._ctx;
            if (!renderer._drawing || this._empty()) { return; }
            var centre = this._point, scale = this._radius / 10;
            ctx.beginPath();
            this.options.shapePoints.forEach(function (xy, index) {
                var x = centre.x + (xy[0] - 10) * scale, y = centre.y + (xy[1] - 10) * scale;
                if (index) { ctx.lineTo(x, y); } else { ctx.moveTo(x, y); }
            });
            ctx.closePath();
            renderer._fillStroke(ctx, this);
        }
    });

    // A canvas that draws what is added on top of what it holds, without clearing and
    // redrawing the rest: the trail only grows while the days go forward, so a step draws
    // only the items that just ended. Anything else (a removal, a pan) redraws as usual.
    var AddingCanvas = L.Canvas.extend({
        _addPath: function (layer) {
            if (!this._map) { return; }
            this._added = this._added || [];
            this._added.push(layer);
            this._redrawRequest = this._redrawRequest ||
                L.Util.requestAnimFrame(this._redraw, this);
        },
        _updatePaths: function () {  // a move or zoom: the canvas was cleared, draw it all
            this._added = null;
            L.Canvas.prototype._updatePaths.call(this);
        },
        _redraw: function () {
            var added = this._added;
            this._added = null;
            if (!added || this._redrawBounds) {
                L.Canvas.prototype._redraw.call(this);
                return;
            }
            this._redrawRequest = null;
            this._drawing = true;
            added.forEach(function (layer) {
                if (layer._order) { layer._updatePath(); }  // (still on the map)
            });
            this._drawing = false;
        }
    });

    function shapePoints(text) {
        return text.split(" ").map(function (pair) { return pair.split(",").map(Number); });
    }

    function View(map, store) {
        this.map = map;
        this.store = store;
        this.drawn = {};  // item id -> {key, layer}
        this.built = {};  // "id\nstate" -> its Leaflet layer, kept for the next time
        this.mig = null;
        this.migMark = null;
        this.current = null;
        this.dayIndex = {};
        this.moved = {goto: null, focus: null};  // the URL's view and the last jump, done
        this.stamp = stamp(map);
        this.names = {};  // tooltip HTML -> its plain text, for screen readers
        this.labels = [];  // the places' labels shown, each {label, marker}
        this.labelKey = null;
        this.count = 0;  // items drawn
        this.renderers = null;  // pane -> its canvas, when there are many items
        var self = this;
        // After every move, not only a zoom: a resized or panned map carries labels off its edge.
        map.on("moveend resize", function () { self.layoutLabels(); });
        // Enter on the focused map lists what is drawn at its centre (a ring marks it): the
        // keyboard's way to items drawn on a canvas, which have no element to Tab to.
        L.DomEvent.on(map.getContainer(), "keydown", function (e) {
            if (e.key !== "Enter" || e.target !== map.getContainer()) { return; }
            L.DomEvent.stop(e);
            var centre = map.getCenter();
            if (!self.openHere(centre, null)) {
                L.popup().setLatLng(centre).setContent(NOTHING_HERE).openOn(map);
            }
        });
        store.days.forEach(function (day, index) { self.dayIndex[day.iso] = index; });
        PANES.forEach(function (pane) {
            if (!map.getPane(pane[0])) { map.createPane(pane[0]).style.zIndex = pane[1]; }
        });
        if (store.canvas) {  // many items: on canvases (the store says why)
            // Two canvases, the trail's under the day's: each canvas that changes costs the
            // browser a repaint of its whole area, whatever was drawn on it.
            var trail = new AddingCanvas({pane: "fx-trail", padding: 0});
            var active = L.canvas({pane: "fx-active", padding: 0});
            this.renderers = {"fx-trail": trail, "fx-trail-marker": trail,
                              "fx-active": active, "fx-active-marker": active};
            this.shapePoints = {};
            Object.keys(store.shapes).forEach(function (kind) {
                self.shapePoints[kind] = shapePoints(store.shapes[kind]);
            });
        }
    }

    // Leaflet options for a path in `pane`: its canvas when drawing on canvases.
    View.prototype.inPane = function (options, pane) {
        return L.extend(options, this.renderers ? {pane: pane, renderer: this.renderers[pane]}
            : {pane: pane});
    };

    // The Leaflet layer of an item in a state, with its popup and tooltip.
    View.prototype.build = function (item, state, partial) {
        var options = L.extend({}, item.options[state]);
        var coords = partial ? partial.coords : item.coords;
        var layer;
        var self = this;
        if (item.kind === "line") {
            layer = L.polyline(coords, this.inPane(options, "fx-" + state));
        } else if (item.kind === "polygon") {
            layer = L.polygon(coords, this.inPane(options, "fx-" + state));
        } else {
            var pane = "fx-" + state + "-marker", shapes = this.store.shapes;
            var parts = coords.map(function (point) {
                if (item.kind === "circle") {
                    return L.circleMarker(point, self.inPane(L.extend({}, options), pane));
                }
                if (self.renderers) {
                    return new CanvasShape(point, self.inPane({
                        radius: options.size / 2, color: options.color, opacity: options.opacity,
                        fillColor: options.fillColor, fillOpacity: options.fillOpacity,
                        fill: true, weight: 2.5 * options.size / 20,
                        shapePoints: self.shapePoints[item.kind]
                    }, pane));
                }
                return L.marker(point, {
                    pane: pane, keyboard: false,
                    icon: svgIcon(shapeSvg(shapes[item.kind], options), options.size,
                                  options.className)
                });
            });
            layer = parts.length === 1 ? parts[0] : L.featureGroup(parts);
        }
        layer.on("click", function (e) {
            L.DomEvent.stop(e);
            self.openHere(e.latlng, item.id);
        });
        return layer.bindTooltip(item.tooltip);
    };

    // Markers, routes and areas are reached by Tab and opened by Enter or Space, like buttons
    // (a route or area opens at the middle of its extent). Leaflet makes a
    // new element each time a layer is added, so this runs after every addTo.
    View.prototype.focusable = function (layer, tooltip, open) {
        var parts = layer.getLayers ? layer.getLayers() : [layer];
        var name = this.names[tooltip];
        if (name === undefined) {
            var text = L.DomUtil.create("div");
            text.innerHTML = tooltip;  // escaped in Python: its text is the item's name
            name = this.names[tooltip] = text.textContent;
        }
        parts.forEach(function (part) {
            var element = part.getElement();
            if (!element || element.getAttribute("data-fx-keys")) { return; }
            element.setAttribute("data-fx-keys", "1");
            element.setAttribute("tabindex", "0");
            element.setAttribute("role", "button");
            element.setAttribute("aria-label", name);
            L.DomEvent.on(element, "keydown", function (e) {
                if (e.key !== "Enter" && e.key !== " ") { return; }
                L.DomEvent.stop(e);
                open(part.getLatLng ? part.getLatLng() : part.getBounds().getCenter());
            });
        });
    };

    // Is an item drawn with these coordinates within `pixels` of the container point?
    View.prototype.near = function (kind, coords, point, pixels) {
        var map = this.map;
        return paths(coords).some(function (path) {
            var pts = path.map(function (c) { return map.latLngToContainerPoint(c); });
            if (kind === "polygon" && inside(point, pts)) { return true; }
            if (kind !== "line" && kind !== "polygon") {
                return pts.some(function (q) { return q.distanceTo(point) <= pixels; });
            }
            if (kind === "polygon") { pts = pts.concat([pts[0]]); }
            for (var i = 1; i < pts.length; i += 1) {
                if (segmentDistance(point, pts[i - 1], pts[i]) <= pixels) { return true; }
            }
            return pts.length === 1 && pts[0].distanceTo(point) <= pixels;
        });
    };

    // Everything drawn at a place, the clicked item first: [{id, title, popup}].
    View.prototype.here = function (latlng, clicked) {
        var point = this.map.latLngToContainerPoint(latlng), drawn = this.drawn, self = this;
        var found = [];
        if (this.mig && this.migMark && (clicked === "mig" ||
            this.map.latLngToContainerPoint(this.mig.getLatLng()).distanceTo(point) <=
                HERE_PIXELS)) {
            found.push({id: "mig", title: this.store.migTooltip, popup: this.migMark.popup});
        }
        var reach = L.latLngBounds(
            this.map.containerPointToLatLng(point.subtract([HERE_PIXELS, HERE_PIXELS])),
            this.map.containerPointToLatLng(point.add([HERE_PIXELS, HERE_PIXELS])));
        this.store.items.forEach(function (item) {
            var entry = drawn[item.id];
            if (!entry) { return; }
            // An item whose extent is far from the click cannot be near it (polygons contain
            // the click within their extent): most of a large catalog is left out here.
            entry.bounds = entry.bounds || L.latLngBounds(
                paths(entry.coords).reduce(function (a, b) { return a.concat(b); }, []));
            if (item.id !== clicked && !entry.bounds.intersects(reach)) { return; }
            if (item.id === clicked || self.near(item.kind, entry.coords, point, HERE_PIXELS)) {
                found.push({id: item.id, title: item.tooltip, popup: entry.popup,
                            rank: KIND_RANK[item.kind] || 0});
            }
        });
        // The clicked item, then markers, routes and areas, each in the store's order.
        return found.map(function (entry, index) {
            return {entry: entry, key: [entry.id === clicked || entry.id === "mig" ? 0 : 1,
                                        entry.rank || 0, index]};
        }).sort(function (a, b) {
            return a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2];
        }).map(function (pair) { return pair.entry; });
    };

    // One popup for a click: the item's own, or, where several overlap, all of them, each
    // expandable, so no marker hides another.
    View.prototype.openHere = function (latlng, clicked) {
        var found = this.here(latlng, clicked);
        if (!found.length) { return null; }
        var content = found.length === 1 ? found[0].popup
            : "<div class=\"fx-here\"><p class=\"fx-here-head\">" + found.length +
              " things here</p>" + found.map(function (entry) {
                  return "<details class=\"fx-here-item\" data-id=\"" + escapeHtml(entry.id) +
                      "\"><summary>" + entry.title +
                      "</summary>" + entry.popup + "</details>";
              }).join("") + "</div>";
        return L.popup({maxWidth: 340}).setLatLng(latlng).setContent(content).openOn(this.map);
    };

    View.prototype.steps = function (view) {
        var day = this.dayIndex[view.day];
        if (day === undefined) {
            throw new Error("foxbat76: day " + view.day + " not in the store");
        }
        var replay = this.store.replay, step = null;
        if (replay && replay.day === day && view.at) {
            step = replay.times.indexOf(view.at);
            if (step < 0) { throw new Error("foxbat76: time " + view.at + " not a replay step"); }
        }
        return {day: day, step: step};
    };

    // For each day, the items (store indices) whose state differs from the day before: a
    // step to the next or the previous day need look at these only.
    View.prototype.dayChanges = function () {
        var count = this.store.days.length, changes = [];
        for (var day = 0; day < count; day += 1) { changes.push([]); }
        this.store.items.forEach(function (item, index) {
            for (var next = 1; next < count; next += 1) {
                if (item.days.charAt(next) !== item.days.charAt(next - 1)) {
                    changes[next].push(index);
                }
            }
        });
        return changes;
    };

    // The items that may look different in `view` than in the view drawn last: those whose
    // state changes between the two days when only the day moved by a few, else all.
    View.prototype.candidates = function (at, layersKey) {
        var last = this.last, items = this.store.items;
        var near = last && last.layers === layersKey && last.step === null && at.step === null &&
            Math.abs(at.day - last.day) <= NEAR_DAYS;
        if (!near) {
            return items.map(function (item, index) { return index; });
        }
        this.changes = this.changes || this.dayChanges();
        var low = Math.min(at.day, last.day), high = Math.max(at.day, last.day);
        var found = [], seen = {};
        for (var day = low + 1; day <= high; day += 1) {
            this.changes[day].forEach(function (index) {
                if (!seen[index]) {
                    seen[index] = true;
                    found.push(index);
                }
            });
        }
        return found;
    };

    // Draw a view: only items whose state changed are touched (the store's lookup, never a
    // time rule).
    View.prototype.show = function (view) {
        var at = this.steps(view), map = this.map, drawn = this.drawn, self = this;
        var found = {day: at.day, step: at.step};
        var wanted = {}, items = this.store.items;
        (view.layers || []).forEach(function (id) { wanted[id] = true; });
        var layersKey = (view.layers || []).join(" ");
        var shown = [view.day, found.step === null ? "" : view.at].concat(view.layers || [])
            .join(" ");
        // A popup lists what was drawn where it was opened: a new view closes it.
        if (this.shown !== undefined && this.shown !== shown) { map.closePopup(); }
        this.shown = shown;
        this.candidates(at, layersKey).forEach(function (index) {
            var item = items[index], id = item.id;
            var code = item.days.charAt(at.day), partial = null;
            if (at.step !== null && item.replay) {
                code = item.replay.states.charAt(at.step);
                partial = item.replay.partial[String(at.step)] || null;
            }
            var state = wanted[item.layer] ? CODES[code] : undefined;
            partial = state === "active" ? partial : null;
            var key = state ? state + (partial ? "@" + at.step : "") : "";
            var was = drawn[id];
            if (was && was.key === key) { return; }
            if (was) {
                self.takeOff(was.layer, was.partial);
                self.count -= 1;
            }
            delete drawn[id];
            if (!key) { return; }
            self.count += 1;
            // Whole items in either state are built once; routes drawn part-way each time.
            var cacheKey = id + "\n" + key, layer = self.built[cacheKey];
            if (!layer) {
                layer = self.build(item, state, partial);
                if (!partial) { self.built[cacheKey] = layer; }
            }
            if (!self.putOn(layer)) {
                layer.addTo(map);
                if (!self.renderers) {  // (drawn on a canvas, an item has no element to focus)
                    self.focusable(layer, item.tooltip, function (latlng) {
                        self.openHere(latlng, id);
                    });
                }
            }
            drawn[id] = {key: key, layer: layer, partial: Boolean(partial),
                         coords: partial ? partial.coords : item.coords,
                         popup: item.popup + (partial ? partial.flown : "")};
        });
        this.last = {day: at.day, step: at.step, layers: layersKey};
        this.showMig(found.day, found.step, view);
        this.showLabels();
        this.current = {day: view.day, at: found.step === null ? null : view.at,
                        layers: (view.layers || []).slice()};
        var label = this.store.days[found.day].label;
        this.stamp.textContent = label + (this.current.at ? ", " + this.current.at + " JST" : "");
        var box = map.getContainer();
        box.setAttribute("data-fx-day", view.day);
        box.setAttribute("data-fx-at", this.current.at || "");
        return this.current;
    };

    // Items drawn as elements (few items) stay on the map once added and are hidden and shown
    // again: a day's change then sets a style, where adding a layer has Leaflet build, project
    // and bind it anew (and a long session compiled ever more of that code). Items on a
    // canvas and routes drawn part-way come and go.
    View.prototype.takeOff = function (layer, partial) {
        if (this.renderers || partial) {
            this.map.removeLayer(layer);
            return;
        }
        layer.closeTooltip();
        eachPart(layer, function (element) { element.style.display = "none"; });
    };

    // Show a layer kept on the map; false if it is not on the map (the caller adds it).
    View.prototype.putOn = function (layer) {
        if (this.renderers || !this.map.hasLayer(layer)) { return false; }
        eachPart(layer, function (element) { element.style.display = ""; });
        return true;
    };

    function eachPart(layer, act) {
        (layer.getLayers ? layer.getLayers() : [layer]).forEach(function (part) {
            var element = part.getElement();
            if (element) { act(element); }
        });
    }

    View.prototype.showMig = function (day, step, view) {
        var mig = this.store.mig, index = step === null ? mig.days[day] : mig.replay[step];
        var mark = index === null || index === undefined ? null : mig.marks[index];
        var tags = "fx-mig fx-day-" + view.day + (step === null ? "" : " fx-at-" +
            view.at.replace(":", ""));
        if (!mark) {
            if (this.mig) { this.map.removeLayer(this.mig); }
            this.mig = this.migMark = this.migTags = null;
            return;
        }
        if (!this.mig) {
            this.mig = L.marker(mark.coords, {
                pane: "fx-mig", keyboard: false, zIndexOffset: 1000,
                icon: svgIcon(this.store.migSvg, 22, "")
            }).bindTooltip(this.store.migTooltip, {
                permanent: true, direction: "right", className: "fx-mig-label"
            }).addTo(this.map);
            var self = this;
            this.mig.on("click", function (e) {
                L.DomEvent.stop(e);
                self.openHere(self.mig.getLatLng(), "mig");
            });
            this.focusable(this.mig, this.store.migTooltip, function () {
                self.openHere(self.mig.getLatLng(), "mig");
            });
        } else if (this.migMark !== mark) {
            this.mig.setLatLng(mark.coords);
        }
        this.migMark = mark;
        // The day it shows, as classes on the icon (tests and benchmarks wait for them).
        var icon = this.mig.getElement();
        (this.migTags || "").split(" ").forEach(function (tag) {
            if (tag) { L.DomUtil.removeClass(icon, tag); }
        });
        tags.split(" ").forEach(function (tag) { L.DomUtil.addClass(icon, tag); });
        this.migTags = tags;
    };

    // The places of the items drawn active, as short permanent labels.
    View.prototype.showLabels = function () {
        var drawn = this.drawn, map = this.map;
        var wanted = (this.store.labels || []).filter(function (label) {
            return label.items.some(function (id) {
                return drawn[id] && drawn[id].key.charAt(0) === "a";  // active
            });
        });
        var key = wanted.map(function (label) { return label.text; }).join("\n") + "\n" +
            (this.mig ? this.mig.getLatLng().toString() : "");
        if (key === this.labelKey) { return; }
        this.labelKey = key;
        // As the items, a label once made stays on the map, hidden while not wanted.
        this.labels.forEach(function (shown) {
            if (wanted.indexOf(shown.label) < 0) {
                shown.marker.getElement().style.display = "none";
            }
        });
        this.labels = wanted.map(function (label) {
            label.marker = label.marker || L.marker(label.coords, {
                pane: "fx-labels", interactive: false, keyboard: false,
                icon: L.divIcon({className: "fx-place-label", iconSize: [0, 0],
                                 html: "<span>" + label.text + "</span>"})
            }).addTo(map);
            label.marker.getElement().style.display = "";
            return {label: label, marker: label.marker};
        });
        this.layoutLabels();
    };

    // Hide the labels that would overlap a more important one, the MiG-25's label or a
    // control (legend, stamp, zoom).
    View.prototype.layoutLabels = function () {
        var container = this.map.getContainer(), box = container.getBoundingClientRect();
        var taken = Array.prototype.map.call(container.querySelectorAll(".leaflet-control"),
            function (control) { return control.getBoundingClientRect(); });
        var tooltip = this.mig && this.mig.getTooltip();
        if (tooltip && tooltip.getElement()) {
            taken.push(tooltip.getElement().getBoundingClientRect());
        }
        function overlaps(a, b) {
            return a.left < b.right + 2 && b.left < a.right + 2 && a.top < b.bottom + 2 &&
                b.top < a.bottom + 2;
        }
        this.labels.forEach(function (shown) {
            var span = shown.marker.getElement().firstChild;
            span.style.visibility = "";
            var rect = span.getBoundingClientRect();
            var onMap = rect.left >= box.left && rect.right <= box.right &&
                rect.top >= box.top && rect.bottom <= box.bottom;
            var free = onMap && !taken.some(function (other) { return overlaps(rect, other); });
            span.style.visibility = free ? "" : "hidden";
            if (free) { taken.push(rect); }
        });
    };

    // The view a message asks for: the URL's `goto` when it changes (a page opened, Back to
    // another view), each new `focus` (an item id and a counter from "Jump to event") by
    // flying there. True if the map was moved.
    View.prototype.move = function (view) {
        var moved = false, goto = view.goto ? JSON.stringify(view.goto) : null;
        if (goto && goto !== this.moved.goto) {
            this.moved.goto = goto;
            this.map.setView(view.goto.center, view.goto.zoom, {animate: false});
            moved = true;
        }
        if (view.focus && view.focus.n !== this.moved.focus) {
            this.moved.focus = view.focus.n;
            moved = this.fly(view.focus.id) || moved;
        }
        return moved;
    };

    View.prototype.fly = function (id) {
        var item = this.store.items.filter(function (i) { return i.id === id; })[0];
        if (!item) { return false; }
        var points = paths(item.coords).reduce(function (a, b) { return a.concat(b); }, []);
        var bounds = L.latLngBounds(points), map = this.map, self = this;
        var at = points.length === 1 ? L.latLng(points[0]) : bounds.getCenter();
        map.closePopup();
        map.fire("fxjump");  // the reader asked for this view (the address bar follows it)
        map.once("moveend", function () {
            map.getContainer().setAttribute("data-fx-focus", id);
            if (self.drawn[id]) { self.openHere(at, id); }
        });
        map.flyToBounds(bounds, {maxZoom: Math.max(FOCUS_ZOOM, map.getZoom()),
                                 padding: [40, 40], duration: 0.8});
        return true;
    };

    // What is on the map now, for the page's counter and for tests: [{id, state}].
    View.prototype.visible = function () {
        var drawn = this.drawn;
        return this.store.items.filter(function (item) { return drawn[item.id]; })
            .map(function (item) {
                return {id: item.id, state: drawn[item.id].key.split("@")[0]};
            });
    };

    View.prototype.migPosition = function () {
        if (!this.mig) { return null; }
        var p = this.mig.getLatLng();
        return [p.lat, p.lng];
    };

    // The day (and time) drawn, on the map itself, so that any screenshot carries it.
    function stamp(map) {
        var control = L.control({position: "topright"}), div = L.DomUtil.create("div", "fx-stamp");
        div.setAttribute("aria-live", "polite");
        control.onAdd = function () { return div; };
        control.addTo(map);
        return div;
    }

    // "Share this view": the page's address with view=lat,lon,zoom, shown to copy (and copied
    // where the browser lets us).
    function share(map) {
        var control = L.control({position: "topleft"});
        control.onAdd = function () {
            var div = L.DomUtil.create("div", "fx-share leaflet-bar");
            var button = L.DomUtil.create("button", "", div);
            button.type = "button";
            button.textContent = "Share view";
            button.title = "Link to this day and this part of the map";
            var field = L.DomUtil.create("input", "", div);
            field.type = "text";
            field.readOnly = true;
            field.hidden = true;
            field.setAttribute("aria-label", "Link to this view");
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.on(button, "click", function () {
                field.value = fx.viewUrl(map);
                field.hidden = false;
                field.select();
                var clipboard = window.navigator.clipboard;
                if (clipboard) {
                    clipboard.writeText(field.value).catch(function () { return null; });
                }
            });
            return div;
        };
        control.addTo(map);
    }

    // The address of the page showing this map (the dashboard's, from inside its frame).
    function pageUrl() {
        try {
            if (window.parent !== window && window.parent.location.href) {
                return window.parent.location.href;
            }
        } catch (error) {  // a frame of another origin: our own address
            console.debug("foxbat76: page address not readable", error.name);
        }
        return window.location.href;
    }

    // "lat,lon,zoom" of the map's view, as `view=` takes it.
    function viewText(map) {
        var c = map.getCenter();
        return c.lat.toFixed(4) + "," + c.lng.toFixed(4) + "," +
            String(Math.round(map.getZoom() * 100) / 100);
    }

    // A query string with commas and colons as typed: they read better and mean the same here.
    function readable(search) {
        return search.replace(/%2C/gi, ",").replace(/%3A/gi, ":");
    }

    fx.viewUrl = function (map) {
        var url = new window.URL(pageUrl());
        url.searchParams.set("view", viewText(map));
        return url.origin + url.pathname + readable(url.search) + url.hash;
    };

    var VIEW_DELAY = 400;  // ms after the map stops before the address bar takes its view

    // Elements whose own keys include Space: it never plays or stops there.
    var SPACE_TAKERS = "input, textarea, select, button, a[href], summary, [contenteditable], " +
        "[role=slider], [role=button], [role=checkbox], [role=radio], [role=switch], " +
        "[role=combobox], [role=listbox], [role=option], [role=textbox], [role=menuitem], " +
        "[role=tab], [role=spinbutton]";

    // The dashboard's page around this map's frame (same origin; Streamlit draws it):
    // - Streamlit writes every change of the query string with history.pushState, one
    //   history entry per scrub (a whole Play through the period left ~90 entries to go
    //   Back through). A push that changes only the query becomes a replacement of the
    //   current entry: the address bar names the view shown and Back leaves the page. The
    //   query keeps its commas and colons, and `view=` where the reader moved the map.
    // - Once the reader moves the map, the address bar's `view=lat,lon,zoom` follows it (a
    //   replacement, a moment after the map stops), so a copied address opens this view.
    // - Space plays or stops (options.play: the Play button's selector), as in the exported
    //   page, unless a control that takes Space has focus or a dialog is open.
    fx.host = function (map, options) {
        var page = null;
        try {
            page = window.parent !== window && window.parent.document ? window.parent : null;
        } catch (error) {  // a page of another origin: leave it alone
            console.debug("foxbat76: no access to the page", error.name);
        }
        if (!page) { return null; }
        var history = page.history, token = {}, moved = false, timer = null;
        // The browser's own functions, kept from the first frame that wrapped them.
        var native = page.fxHistory = page.fxHistory ||
            {push: history.pushState, replace: history.replaceState};
        page.fxHost = token;

        // The URL to show for `url`: this page's path, the query readable, our view if moved.
        function shown(url) {
            var target = new page.URL(url, page.location.href);
            if (target.origin !== page.location.origin ||
                target.pathname !== page.location.pathname) { return null; }
            if (moved) { target.searchParams.set("view", viewText(map)); }
            return target.pathname + readable(target.search) + target.hash;
        }
        function write(state, url) {
            native.replace.call(history, state, "", url);
        }
        history.pushState = function (state, title, url) {
            var same = url === undefined || url === null ? null : shown(url);
            if (same === null) { return native.push.apply(history, arguments); }
            return write(state, same);
        };
        history.replaceState = function (state, title, url) {
            var same = url === undefined || url === null ? null : shown(url);
            if (same === null) { return native.replace.apply(history, arguments); }
            return write(state, same);
        };

        function touched() { moved = true; }
        var box = map.getContainer();
        ["mousedown", "touchstart", "wheel", "dblclick", "keydown"].forEach(function (type) {
            box.addEventListener(type, touched, true);  // capture: before Leaflet acts on it
        });
        map.on("fxjump", touched);
        map.on("moveend", function () {
            if (!moved) { return; }
            clearTimeout(timer);
            timer = setTimeout(function () {
                if (page.fxHost === token) { write(history.state, shown(page.location.href)); }
            }, VIEW_DELAY);
        });

        function onKey(event) {
            if (page.fxHost !== token) {  // a newer frame took over
                page.document.removeEventListener("keydown", onKey);
                return;
            }
            if (event.key !== " " || event.ctrlKey || event.metaKey || event.altKey ||
                event.shiftKey || event.defaultPrevented) { return; }
            var target = event.target;
            if (target && target.closest && target.closest(SPACE_TAKERS)) { return; }
            if (page.document.querySelector("[role=dialog]")) { return; }
            var play = page.document.querySelector(options.play);
            if (!play || play.disabled) { return; }
            event.preventDefault();  // not a scroll of the page
            if (!event.repeat) { play.click(); }
        }
        page.document.addEventListener("keydown", onKey);
        document.addEventListener("keydown", onKey);  // focus in the map itself
        fx.page = {write: function (query) {
            write(history.state, shown(page.location.pathname + (query ? "?" + query : "")));
        }};
        return fx.page;
    };

    // The exported page's ?view=lat,lon,zoom (the dashboard checks its own in Python).
    fx.parseView = function (text, region) {
        var parts = String(text || "").split(",").map(Number);
        if (parts.length !== 3 || !parts.every(isFinite)) { return null; }
        if (parts[0] < region[1] || parts[0] > region[3] || parts[1] < region[0] ||
            parts[1] > region[2]) { return null; }
        return {center: [parts[0], parts[1]], zoom: parts[2]};
    };

    // Keep the embedded basemap's edge out of sight: the map never pans off its region and
    // never zooms out past the zoom at which the region fills the map.
    function limits(map, frame) {
        var region = frame.region;
        var bounds = L.latLngBounds([region[1], region[0]], [region[3], region[2]]);
        map.setMaxZoom(frame.maxZoom);
        map.options.maxBoundsViscosity = 1;
        function fit() {
            var size = map.getSize();
            if (!size.x || !size.y) { return; }
            map.setMinZoom(map.getBoundsZoom(bounds, true));
            map.setMaxBounds(bounds);
        }
        fit();
        map.on("resize", fit);
    }

    var NARROW = 600;  // px: on a map this narrow the legend starts folded

    // A control holding pre-escaped legend HTML, folded (a click on "Legend" unfolds it) on
    // narrow maps, where it would cover much of the map.
    function legend(map, html) {
        var control = L.control({position: "bottomleft"});
        control.onAdd = function () {
            var div = L.DomUtil.create("details", "fx-legend");
            div.open = map.getSize().x >= NARROW;
            div.innerHTML = "<summary>Legend</summary>" + html;
            L.DomEvent.disableClickPropagation(div);
            return div;
        };
        control.addTo(map);
    }

    // Land and borders in a pane under the tile pane (z 200): tiles, when online, cover them.
    function basemap(map, config) {
        var pane = map.createPane("fx-basemap");
        pane.style.zIndex = 150;
        pane.style.pointerEvents = "none";
        map.attributionControl.addAttribution(config.attribution);
        var source = typeof config.data === "string" ? fetchJson(config.data)
            : Promise.resolve(config.data);
        return source.then(function (data) {
            fx.basemapLayer = L.geoJSON(data, {
                pane: "fx-basemap", interactive: false,
                renderer: L.canvas({pane: "fx-basemap"}),
                style: function (f) {
                    return f.properties.kind === "land" ? config.land : config.border;
                }
            }).addTo(map);
        }).catch(function (e) { console.warn("foxbat76: basemap not loaded", e); });
    }

    // Online tile layers (dashboard only) in a switcher beside the embedded basemap. Offline
    // they fail on every pan, silently: after `limit` errors with no tile loaded, the layer
    // is dropped, the switcher goes back to the embedded basemap and a note says so.
    function tiles(map, config) {
        if (!config.layers.length) { return; }
        var embedded = L.layerGroup().addTo(map), bases = {}, names = {}, note = null;
        bases[config.embedded] = embedded;
        config.layers.forEach(function (t) {
            var layer = L.tileLayer(t.url, {attribution: t.attribution, maxZoom: config.maxZoom});
            bases[t.name] = layer;
            names[L.stamp(layer)] = t.name;
        });
        L.control.layers(bases, null, {position: "topright", collapsed: true}).addTo(map);
        function hide() { if (note) { note.remove(); note = null; } }
        function tell(name) {
            hide();
            note = L.control({position: "bottomright"});
            note.onAdd = function () {
                var div = L.DomUtil.create("div", "fx-tile-note");
                div.setAttribute("role", "status");
                div.innerHTML = "<button type=\"button\" title=\"Dismiss\" " +
                    "aria-label=\"Dismiss\">&times;</button>" + name +
                    " tiles could not be loaded (offline?); showing the built-in land map.";
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.on(div.firstChild, "click", hide);
                return div;
            };
            note.addTo(map);
        }
        map.on("baselayerchange", function (e) {
            var layer = e.layer, name = names[L.stamp(layer)];
            hide();
            if (!name) { return; }
            var seen = {errors: 0, loaded: false};
            layer.off("tileload tileerror");
            layer.on("tileload", function () { seen.loaded = true; });
            layer.on("tileerror", function () {
                seen.errors += 1;
                if (seen.loaded || seen.errors < config.limit || !map.hasLayer(layer)) { return; }
                map.removeLayer(layer);
                map.addLayer(embedded);
                tell(name);
            });
        });
    }

    // The dashboard's date slider is in the page around the map's iframe (same origin). The
    // map follows it the moment it moves, looking the day up in the store, rather than after
    // the server's rerun; the rerun's fx.show then confirms the view (layers, 6 Sep time).
    // Streamlit's date slider is a range input whose value is microseconds since the epoch
    // to midnight UTC of the day; its keys change it without input events, so watch the value.
    function followSlider(label) {
        var page = null;
        try {
            page = window.parent !== window ? window.parent.document : null;
        } catch (ignored) {  // eslint-disable-line no-unused-vars
            page = null;  // another origin: the server's reruns alone move the map
        }
        if (!page || !window.MutationObserver) { return; }
        function moved(input) {
            if (!fx.view || input.type !== "range" || input.getAttribute("aria-label") !== label) {
                return;
            }
            var micros = Number(input.value);
            if (!isFinite(micros)) { return; }
            var day = new Date(micros / 1000).toISOString().slice(0, 10);
            var shown = fx.local ? fx.local.day : (fx.wanted || {}).day;
            if (fx.view.dayIndex[day] === undefined || day === shown) { return; }
            fx.local = {day: day, passed: (fx.local ? fx.local.passed : []).concat([shown])};
            fx.view.show(localView(fx.wanted || {}));
        }
        new window.MutationObserver(function (changes) {
            changes.forEach(function (change) { moved(change.target); });
        }).observe(page.body, {attributes: true, attributeFilter: ["value"], subtree: true});
    }

    // The view to draw while the slider is ahead of the server: the slider's day with the
    // server's last layers; on 6 Sep the last replay time the server gave (else its end).
    function localView(view) {
        var replay = fx.view.store.replay, day = fx.local.day, at = null;
        if (replay && fx.view.dayIndex[day] === replay.day) {
            at = fx.replayAt || replay.times[replay.times.length - 1];
        }
        return L.extend({}, view, {day: day, at: at, goto: null, focus: null});
    }

    function mountWith(map, config) {
        if (config.slider) { followSlider(config.slider); }
        limits(map, config.frame);
        basemap(map, config.basemap);
        tiles(map, config.tiles);
        share(map);
        var source = typeof config.store === "string" ? fetchJson(config.store)
            : Promise.resolve(config.store);
        return source.then(function (store) {
            legend(map, store.legend);
            fx.view = new View(map, store);
            var wanted = fx.wanted || {};
            if (config.goto) { wanted = L.extend({}, wanted, {goto: config.goto}); }
            if (fx.wanted) { fx.view.show(fx.wanted); }
            if (!fx.view.move(wanted)) {
                map.fitBounds(config.frame.bounds, {padding: [16, 16], maxZoom: 9, animate: false});
            }
            return fx.view;
        });
    }

    // Set up a Leaflet map from a config ({store, basemap, tiles}) or its URL; `store` is the
    // store itself or its URL. Returns a promise of the View; fx.show works before then.
    fx.mount = function (map, config) {
        var source = typeof config === "string" ? fetchJson(config) : Promise.resolve(config);
        fx.ready = source.then(function (loaded) { return mountWith(map, loaded); });
        fx.ready.catch(function (e) { console.warn("foxbat76: map not loaded", e); });
        return fx.ready;
    };

    // Streamlit's component library appends a new <style> with the theme's CSS variables on
    // every render message and never removes one: keep only the newest.
    function dropStaleThemes() {
        var themes = Array.prototype.filter.call(document.head.querySelectorAll("style"),
            function (style) { return /^\s*:root\s*\{/.test(style.textContent); });
        themes.slice(0, -1).forEach(function (style) { style.remove(); });
    }

    // The dashboard's per-rerun message: the view to draw. streamlit-folium adds what this
    // returns to the map and keeps it in window.feature_group, which it never empties: hand
    // it one empty group every time and drop the references it kept from earlier reruns.
    fx.show = function (view) {
        fx.wanted = view;
        if (view.address !== undefined && fx.page) { fx.page.write(view.address); }
        if (view.at) { fx.replayAt = view.at; }
        var local = fx.local;
        if (local && view.day === local.day) {
            fx.local = null;  // the server has caught up with the slider
        } else if (local && local.passed.indexOf(view.day) >= 0) {
            view = localView(view);  // a rerun for a day the slider has since left
        } else {
            fx.local = null;  // the server chose the day (Play, a jump, a button)
        }
        if (fx.view) {
            fx.view.show(view);
            fx.view.move(view);
        }
        if (Array.isArray(window.feature_group)) { window.feature_group.length = 0; }
        dropStaleThemes();
        fx.message = fx.message || L.layerGroup();
        return fx.message;
    };

    var REPLAY_STEPS_PER_DAY = 8;  // Play runs the 6 Sep flight at 8 five-minute steps a day

    // The exported page's own controls: day slider, buttons, Play (speed, loop), time of day,
    // layer toggles and the keyboard. `ids` maps roles to element ids (speed and loop
    // optional); `start` is the first view; `playSeconds` a day's time at speed 1.
    fx.controls = function (view, ids, start, playSeconds) {
        var store = view.store, days = store.days, replay = store.replay;
        var el = {};
        Object.keys(ids).forEach(function (role) {
            el[role] = document.getElementById(ids[role]);
        });
        var state = {day: view.dayIndex[start.day], step: null, layers: start.layers.slice()};
        if (replay && start.at) { state.step = replay.times.indexOf(start.at); }
        var timer = null;

        el.slider.max = String(days.length - 1);
        el.slider.value = String(state.day);
        el.dayRow.hidden = days.length === 1;
        if (replay) {
            el.time.max = String(replay.times.length - 1);
        }
        store.layers.forEach(function (layer) {
            var label = document.createElement("label"), box = document.createElement("input");
            box.type = "checkbox";
            box.checked = state.layers.indexOf(layer.id) >= 0;
            box.setAttribute("data-layer", layer.id);
            box.addEventListener("change", function () {
                state.layers = store.layers.filter(function (l) {
                    var input = el.layers.querySelector("input[data-layer=\"" + l.id + "\"]");
                    return input && input.checked;
                }).map(function (l) { return l.id; });
                draw();
            });
            label.appendChild(box);
            label.appendChild(document.createTextNode(" " + layer.title));
            el.layers.appendChild(label);
        });

        function draw() {
            var onReplayDay = replay && state.day === replay.day;
            var step = onReplayDay ? (state.step === null ? replay.times.length - 1 : state.step)
                : null;
            view.show({day: days[state.day].iso, at: step === null ? null : replay.times[step],
                       layers: state.layers});
            el.slider.value = String(state.day);
            el.date.textContent = days[state.day].label;
            el.timeRow.hidden = !onReplayDay;
            if (onReplayDay) {
                el.time.value = String(step);
                el.timeLabel.textContent = replay.times[step] + " JST";
            }
            var count = view.count;
            el.count.textContent = count + (count === 1 ? " feature" : " features") + " on the map";
            el.play.textContent = timer ? "\u25a0 Stop" : "\u25b6 Play";
            el.prev.disabled = state.day === 0;  // nothing before the first day
            el.next.disabled = state.day === days.length - 1;
        }
        function go(day) {
            state.day = Math.min(Math.max(day, 0), days.length - 1);
            draw();
        }
        function stop() {
            if (timer) { clearTimeout(timer); timer = null; }
            draw();
        }
        function speed() { return el.speed ? Number(el.speed.value) || 1 : 1; }
        function onFlight() {  // on 6 Sep before the end of the replay
            return replay && state.day === replay.day && state.step !== null &&
                state.step < replay.times.length - 1;
        }
        // One step of Play: the flight's next five minutes on 6 Sep, else the next day (from
        // the last, the first again when looping).
        function tick() {
            if (onFlight()) {
                state.step += 1;
                draw();
            } else if (state.day < days.length - 1) {
                state.day += 1;
                if (replay && state.day === replay.day) { state.step = 0; }
                draw();
            } else if (el.loop && el.loop.checked) {
                state.day = 0;
                if (replay && replay.day === 0) { state.step = 0; }
                draw();
            } else {
                timer = null;
                draw();
                return;
            }
            schedule();
        }
        function schedule() {
            var seconds = playSeconds / speed() / (onFlight() ? REPLAY_STEPS_PER_DAY : 1);
            timer = setTimeout(tick, seconds * 1000);
        }
        function play() {
            if (timer) { stop(); return; }
            if (state.day >= days.length - 1) { state.day = 0; }  // Play at the end starts over
            if (replay && state.day === replay.day && !onFlight()) { state.step = 0; }
            schedule();
            draw();
        }
        function stepTime(delta) {
            if (!replay || state.day !== replay.day) { return; }
            var step = state.step === null ? replay.times.length - 1 : state.step;
            state.step = Math.min(Math.max(step + delta, 0), replay.times.length - 1);
            draw();
        }
        el.slider.addEventListener("input", function () { go(Number(el.slider.value)); });
        el.time.addEventListener("input", function () {
            state.step = Number(el.time.value);
            draw();
        });
        el.prev.addEventListener("click", function () { go(state.day - 1); });
        el.next.addEventListener("click", function () { go(state.day + 1); });
        el.play.addEventListener("click", play);
        document.addEventListener("keydown", function (event) {
            var target = event.target;
            if (target && target.type === "range") { return; }  // the slider moves itself
            // A focused map pans with the arrows (Leaflet's keys, as on the dashboard): one
            // key press must not both pan the map and change the day.
            if (target === view.map.getContainer() && /^Arrow/.test(event.key)) { return; }
            if (event.key === "ArrowRight") {
                go(state.day + 1);
            } else if (event.key === "ArrowLeft") {
                go(state.day - 1);
            } else if (event.key === "ArrowUp") {
                stepTime(1);
            } else if (event.key === "ArrowDown") {
                stepTime(-1);
            } else if (event.key === " " && !/^(BUTTON|INPUT|SELECT|TEXTAREA)$/.test(
                target && target.tagName)) {  // Space on a control is the control's own
                play();
            } else { return; }
            event.preventDefault();
        });
        draw();
        return {go: go, play: play, stop: stop, state: state};
    };
})();
