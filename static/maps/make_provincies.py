#!/usr/bin/env python3
"""Build provincies.svg and provincies.json from a CBS provinces GeoJSON.

Usage:
    python3 make_provincies.py SOURCE.geojson [--out-dir DIR] [--tolerance PX]

SOURCE is the cartomap/nl file wgs84/provincie_2023.geojson (CBS Gebiedsindelingen
2023, layer provincie_gegeneraliseerd, WGS84 lon/lat). See README.md for where it
comes from, its licence and its SHA-256. Plain Python 3 only, no network access.

What it does:
 1. Projects every lon/lat vertex to SVG user units with a fixed equirectangular
    projection (PROJECTION below; the formula is repeated in provincies.json).
 2. Cuts the province rings into arcs at the points where the neighbouring
    province changes, simplifies each arc once with Douglas-Peucker (so shared
    borders stay identical in both provinces: no gaps or overlaps), and puts the
    rings back together.
 3. Writes one <path> per province (id="provincie-<slug>") and a JSON file with
    the projection and, per province, a label point that lies inside it.
"""

import argparse
import hashlib
import json
import math
import os
import re
import sys

# --- Projection -----------------------------------------------------------------
# x = SCALE * cos(REF_LAT) * (lon - LON0)
# y = SCALE * (LAT0 - lat)
# lon/lat in decimal degrees (WGS84 / ETRS89; the difference is < 1 m here).
VIEW_W, VIEW_H = 600, 700
REF_LAT = 52.2          # degrees; the latitude at which the x scale is true
SCALE = 240.0           # SVG units per degree of latitude (1 unit ~ 463 m)
LON0 = 3.25             # longitude at x = 0
LAT0 = 53.61            # latitude at y = 0
KX = SCALE * math.cos(math.radians(REF_LAT))   # SVG units per degree of longitude

PRECISION = 1           # decimals in the SVG path data (0.1 unit ~ 46 m)

# CBS statcode -> (slug, name as the app spells it, taxonomy::PROVINCES)
PROVINCES = {
    "PV20": ("groningen", "Groningen"),
    "PV21": ("friesland", "Friesland"),
    "PV22": ("drenthe", "Drenthe"),
    "PV23": ("overijssel", "Overijssel"),
    "PV24": ("flevoland", "Flevoland"),
    "PV25": ("gelderland", "Gelderland"),
    "PV26": ("utrecht", "Utrecht"),
    "PV27": ("noord-holland", "Noord-Holland"),
    "PV28": ("zuid-holland", "Zuid-Holland"),
    "PV29": ("zeeland", "Zeeland"),
    "PV30": ("noord-brabant", "Noord-Brabant"),
    "PV31": ("limburg", "Limburg"),
}
ORDER = list(PROVINCES)  # PV20 .. PV31, north to south as CBS numbers them

ATTRIBUTION = ("Provinciegrenzen: CBS Gebiedsindelingen 2023, © Kadaster / Centraal Bureau voor de "
               "Statistiek, via PDOK (CC BY 4.0); vereenvoudigd door cartomap/nl en Oogst")

SOURCE_SHA256 = "8d5e953d63c945c5b8ee2539b16b64fcac57bbd50c879e895ed3f6a6df7db1b6"


def project(lon, lat):
    return (KX * (lon - LON0), SCALE * (LAT0 - lat))


# --- Geometry helpers ---------------------------------------------------------


def ring_area(pts):
    """Signed shoelace area of a closed or open ring (SVG units^2)."""
    a = 0.0
    n = len(pts)
    for i in range(n):
        x1, y1 = pts[i]
        x2, y2 = pts[(i + 1) % n]
        a += x1 * y2 - x2 * y1
    return a / 2.0


def seg_dist2(p, a, b):
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == 0 and dy == 0:
        return (px - ax) ** 2 + (py - ay) ** 2
    t = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)
    t = max(0.0, min(1.0, t))
    qx, qy = ax + t * dx, ay + t * dy
    return (px - qx) ** 2 + (py - qy) ** 2


def douglas_peucker(pts, tol):
    """Simplify an open polyline, always keeping both end points."""
    if tol <= 0 or len(pts) < 3:
        return list(pts)
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    tol2 = tol * tol
    while stack:
        i, j = stack.pop()
        best, idx = -1.0, -1
        for k in range(i + 1, j):
            d = seg_dist2(pts[k], pts[i], pts[j])
            if d > best:
                best, idx = d, k
        if idx >= 0 and best > tol2:
            keep[idx] = True
            stack.append((i, idx))
            stack.append((idx, j))
    return [p for p, k in zip(pts, keep) if k]


def point_in_ring(x, y, ring):
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_in_polygon(x, y, rings):
    """rings[0] is the outer ring, the rest are holes."""
    if not point_in_ring(x, y, rings[0]):
        return False
    return not any(point_in_ring(x, y, h) for h in rings[1:])


def dist_to_rings(x, y, rings):
    best = float("inf")
    for r in rings:
        n = len(r)
        for i in range(n):
            d = seg_dist2((x, y), r[i], r[(i + 1) % n])
            if d < best:
                best = d
    return math.sqrt(best)


def label_point(rings):
    """Pole of inaccessibility by grid search + refinement (inside the polygon)."""
    xs = [p[0] for p in rings[0]]
    ys = [p[1] for p in rings[0]]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    step = max(x1 - x0, y1 - y0) / 40.0
    best = None
    y = y0
    while y <= y1:
        x = x0
        while x <= x1:
            if point_in_polygon(x, y, rings):
                d = dist_to_rings(x, y, rings)
                if best is None or d > best[0]:
                    best = (d, x, y)
            x += step
        y += step
    if best is None:  # degenerate: fall back to the first vertex
        return rings[0][0]
    for _ in range(12):
        step /= 2.0
        _, bx, by = best
        for dx in (-step, 0, step):
            for dy in (-step, 0, step):
                x, y = bx + dx, by + dy
                if point_in_polygon(x, y, rings):
                    d = dist_to_rings(x, y, rings)
                    if d > best[0]:
                        best = (d, x, y)
    return (best[1], best[2])


def area_centroid(polys):
    """Area-weighted centroid of a list of polygons (each a list of rings)."""
    sa = sx = sy = 0.0
    for rings in polys:
        for k, r in enumerate(rings):
            a = ring_area(r)
            # outer rings count positive, holes negative, whatever their winding
            sign = 1.0 if k == 0 else -1.0
            a_abs = abs(a) * sign
            cx = cy = 0.0
            n = len(r)
            for i in range(n):
                xa, ya = r[i]
                xb, yb = r[(i + 1) % n]
                c = xa * yb - xb * ya
                cx += (xa + xb) * c
                cy += (ya + yb) * c
            if a != 0:
                cx /= 6.0 * a
                cy /= 6.0 * a
                sa += a_abs
                sx += cx * a_abs
                sy += cy * a_abs
    return (sx / sa, sy / sa)


# --- Topology-preserving simplification ---------------------------------------


def load(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    digest = hashlib.sha256(raw).hexdigest()
    data = json.loads(raw.decode("utf-8"))
    provinces = []
    for feat in data["features"]:
        props = feat["properties"]
        code = props["statcode"].strip()
        if code not in PROVINCES:
            raise SystemExit(f"unexpected statcode {code!r}")
        geom = feat["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rings_per_poly = []
        for poly in polys:
            rings = []
            for ring in poly:
                pts = [(round(c[0], 9), round(c[1], 9)) for c in ring]
                if pts[0] == pts[-1]:
                    pts = pts[:-1]
                rings.append(pts)
            rings_per_poly.append(rings)
        # the source calls the field statnaam; a later copy renamed it to name
        cbs_name = props.get("statnaam", props.get("name", ""))
        provinces.append({"code": code, "cbs_name": cbs_name, "polys": rings_per_poly})
    if sorted(p["code"] for p in provinces) != sorted(PROVINCES):
        raise SystemExit("the source does not hold exactly the twelve provinces")
    return provinces, digest


def simplify_topology(provinces, tol):
    """Return provinces with every ring simplified, shared borders identically."""
    # which rings use each (undirected) edge
    edge_owners = {}
    ring_ids = []
    for pi, prov in enumerate(provinces):
        for qi, rings in enumerate(prov["polys"]):
            for ri, ring in enumerate(rings):
                rid = (pi, qi, ri)
                ring_ids.append(rid)
                n = len(ring)
                for i in range(n):
                    a, b = ring[i], ring[(i + 1) % n]
                    key = (a, b) if a <= b else (b, a)
                    edge_owners.setdefault(key, set()).add(rid)

    def owners(a, b):
        key = (a, b) if a <= b else (b, a)
        return frozenset(edge_owners[key])

    # vertices that are used by more than two edges overall are junctions too
    vertex_degree = {}
    for (a, b) in edge_owners:
        vertex_degree[a] = vertex_degree.get(a, 0) + 1
        vertex_degree[b] = vertex_degree.get(b, 0) + 1

    arc_cache = {}

    def simplify_arc(arc):
        """arc: list of points; simplified once per geometric arc, either direction."""
        fwd = tuple(arc)
        rev = tuple(reversed(arc))
        key = min(fwd, rev)
        if key not in arc_cache:
            arc_cache[key] = douglas_peucker([project(*p) for p in key], tol)
        out = arc_cache[key]
        return out if key == fwd else list(reversed(out))

    result = []
    for pi, prov in enumerate(provinces):
        new_polys = []
        for qi, rings in enumerate(prov["polys"]):
            new_rings = []
            for ri, ring in enumerate(rings):
                n = len(ring)
                junction = [
                    owners(ring[i - 1], ring[i]) != owners(ring[i], ring[(i + 1) % n])
                    or vertex_degree.get(ring[i], 0) > 2
                    for i in range(n)
                ]
                reverse_after = False
                if not any(junction):
                    # a closed loop without junctions (an island, or a ring shared
                    # whole with one neighbour): start at its smallest vertex, walk
                    # it in a canonical direction and cut it in two, so that both
                    # halves keep their end points and a neighbour sharing the
                    # loop cuts it at the same places
                    s = ring.index(min(ring))
                    loop = ring[s:] + ring[:s]
                    if loop[1] > loop[-1]:
                        loop = [loop[0]] + loop[1:][::-1]
                        reverse_after = True
                    m = len(loop) // 2
                    arcs = [loop[: m + 1], loop[m:] + [loop[0]]]
                else:
                    s = junction.index(True)
                    loop = ring[s:] + ring[:s]
                    jflags = junction[s:] + junction[:s]
                    arcs, cur = [], [loop[0]]
                    for k in range(1, n):
                        cur.append(loop[k])
                        if jflags[k]:
                            arcs.append(cur)
                            cur = [loop[k]]
                    cur.append(loop[0])
                    arcs.append(cur)
                pts = []
                for arc in arcs:
                    sarc = simplify_arc(arc)
                    pts.extend(sarc[:-1])
                if reverse_after:
                    pts.reverse()
                if len(set(pts)) >= 3 and abs(ring_area(pts)) > 0.05:
                    new_rings.append(pts)
                elif ri == 0:
                    break  # outer ring vanished: drop the whole part
            if new_rings:
                new_polys.append(new_rings)
        result.append(dict(prov, svg_polys=new_polys))
    return result


# --- Output -------------------------------------------------------------------


def fmt(v):
    """Integer tenths -> shortest decimal string."""
    s = f"{v / 10 ** PRECISION:.{PRECISION}f}".rstrip("0").rstrip(".")
    if s == "-0":
        s = "0"
    return s


def path_data(polys):
    q = 10 ** PRECISION
    parts = []
    for rings in polys:
        for ring in rings:
            ipts = [(round(x * q), round(y * q)) for x, y in ring]
            dedup = [ipts[0]]
            for p in ipts[1:]:
                if p != dedup[-1]:
                    dedup.append(p)
            if len(dedup) > 1 and dedup[-1] == dedup[0]:
                dedup.pop()
            if len(dedup) < 3:
                continue
            x0, y0 = dedup[0]
            d = [f"M{fmt(x0)} {fmt(y0)}l"]
            coords = []
            px, py = x0, y0
            for x, y in dedup[1:]:
                coords.append(f"{fmt(x - px)} {fmt(y - py)}")
                px, py = x, y
            d.append(" ".join(coords))
            d.append("z")
            parts.append("".join(d))
    return "".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source", help="cartomap/nl wgs84/provincie_2023.geojson")
    ap.add_argument("--out-dir", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--tolerance", type=float, default=0.35,
                    help="Douglas-Peucker tolerance in SVG units (default 0.35, ~160 m)")
    args = ap.parse_args()

    provinces, digest = load(args.source)
    if digest != SOURCE_SHA256:
        print(f"warning: source SHA-256 is {digest}, README documents {SOURCE_SHA256}", file=sys.stderr)

    simplified = simplify_topology(provinces, args.tolerance)
    by_code = {p["code"]: p for p in simplified}

    svg = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-labelledby="provincies-title">'
        % (VIEW_W, VIEW_H),
        '<title id="provincies-title">De twaalf provincies van Nederland</title>',
        "<!-- %s. Zie static/maps/README.md. -->" % ATTRIBUTION,
        '<g id="provincies" fill="#e6eadf" stroke="#55624c" stroke-width="0.8" '
        'stroke-linejoin="round" fill-rule="evenodd">',
    ]
    meta = {
        "viewBox": [0, 0, VIEW_W, VIEW_H],
        "projection": {
            "name": "equirectangular, x scaled by cos(52.2 deg)",
            "formula": {
                "x": "SCALE * cos(REF_LAT) * (lon - LON0)",
                "y": "SCALE * (LAT0 - lat)",
                "inverse_lon": "LON0 + x / (SCALE * cos(REF_LAT))",
                "inverse_lat": "LAT0 - y / SCALE",
            },
            "REF_LAT": REF_LAT,
            "SCALE": SCALE,
            "LON0": LON0,
            "LAT0": LAT0,
            "kx": KX,
            "ky": SCALE,
            "numeric": "x = %.6f * (lon - %s); y = %s * (%s - lat)" % (KX, LON0, SCALE, LAT0),
            "units": "lon/lat in decimal degrees (WGS84); x/y in SVG user units of the viewBox",
        },
        "source": {
            "dataset": "CBS Gebiedsindelingen 2023, provincie_gegeneraliseerd (CBS / Kadaster, via PDOK)",
            "file": "cartomap/nl wgs84/provincie_2023.geojson",
            "sha256": digest,
            "licence": "CC BY 4.0 (see README.md: not confirmed against the PDOK metadata record)",
            "attribution": ATTRIBUTION,
        },
        "simplification_tolerance": args.tolerance,
        "provinces": {},
    }

    total_pts = 0
    for code in ORDER:
        prov = by_code[code]
        slug, name = PROVINCES[code]
        polys = prov["svg_polys"]
        total_pts += sum(len(r) for rings in polys for r in rings)
        d = path_data(polys)
        cbs = prov["cbs_name"]
        extra = f' data-cbs-name="{cbs}"' if cbs and cbs != name else ""
        svg.append(f'<path id="provincie-{slug}" data-name="{name}"{extra} data-cbs-code="{code}" d="{d}"/>')

        largest = max(polys, key=lambda rings: abs(ring_area(rings[0])))
        lx, ly = label_point(largest)
        cx, cy = area_centroid(polys)
        xs = [x for rings in polys for r in rings for x, _ in r]
        ys = [y for rings in polys for r in rings for _, y in r]
        meta["provinces"][slug] = {
            "name": name,
            "cbs_name": cbs,
            "cbs_code": code,
            "label": [round(lx, 1), round(ly, 1)],
            "centroid": [round(cx, 1), round(cy, 1)],
            "centroid_inside": point_in_polygon(cx, cy, largest),
            "bbox": [round(min(xs), 1), round(min(ys), 1), round(max(xs), 1), round(max(ys), 1)],
        }
    svg.append("</g>")
    svg.append("</svg>")

    os.makedirs(args.out_dir, exist_ok=True)
    svg_path = os.path.join(args.out_dir, "provincies.svg")
    json_path = os.path.join(args.out_dir, "provincies.json")
    with open(svg_path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(svg) + "\n")
    with open(json_path, "w", encoding="utf-8", newline="\n") as fh:
        text = json.dumps(meta, ensure_ascii=False, indent=2)
        # keep short number lists ([x, y], bboxes) on one line
        text = re.sub(r"\[\s+([-0-9.,\s]+?)\s+\]",
                      lambda m: "[" + ", ".join(v.strip() for v in m.group(1).split(",")) + "]", text)
        fh.write(text + "\n")
    print(f"{svg_path}: {os.path.getsize(svg_path)} bytes, {total_pts} vertices")
    print(f"{json_path}: {os.path.getsize(json_path)} bytes")


if __name__ == "__main__":
    main()
