#!/usr/bin/env python3
"""Summary of tests/bench/vs-strongswan.sh's results.csv.

  vs-report.py CSV FLOORFILE HOST NCPU   prints the table and the ratios
  vs-report.py --plot CSV OUTDIR         writes a gnuplot script (stdout) and
                                          its data files (chart.png)
"""
import csv
import os
import statistics
import sys


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def load(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def label(impl, be):
    return impl if impl == "ikerd" else "charon-" + be


def mmm(vals, fmt):
    vals = [v for v in vals if v is not None]
    if not vals:
        return "-"
    return "/".join(fmt % v for v in (min(vals), statistics.median(vals), max(vals)))


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def collect(rows):
    pts, lat = {}, {}
    for r in rows:
        key = (label(r["impl"], r["backend"]), r["group"])
        if r["lat_p50_ms"]:
            d = lat.setdefault(key, {"p50": [], "p99": []})
            d["p50"].append(num(r["lat_p50_ms"]))
            d["p99"].append(num(r["lat_p99_ms"]))
            continue
        k = key + (int(r["tunnels"]), int(r["workers"]))
        d = pts.setdefault(k, {"cpu": [], "rate": [], "rss": [], "anon": [], "la": [],
                               "rcores": [], "gcores": [], "threads": "", "fail": 0})
        if not num(r["cpu_ms_per_sa"]):
            d["fail"] += 1
        else:
            d["cpu"].append(num(r["cpu_ms_per_sa"]))
            d["rate"].append(num(r["rate_per_s"]))
            d["rss"].append(num(r["rss_kb_per_sa"]))
            d["anon"].append(num(r["anon_kb_per_sa"]))
            # cores busy during the set-up: the responder's CPU and the
            # generator's, each over the set-up's wall time
            st = num(r.get("setup_s"))
            if st:
                d["rcores"].append(num(r["cpu_s"]) / st)
                if num(r.get("gen_cpu_s")) is not None:
                    d["gcores"].append(num(r["gen_cpu_s"]) / st)
        d["threads"] = r.get("threads") or d["threads"]
        d["la"].append(num(r["loadavg"]))
    return pts, lat


def report(path, floorfile, host, ncpu):
    rows = load(path)
    floors = {}
    with open(floorfile) as f:
        for line in f:
            p = line.split()
            if len(p) == 2 and num(p[1]) is not None:
                floors[p[0]] = num(p[1])
    pts, lat = collect(rows)
    las = [num(r["loadavg"]) for r in rows if num(r["loadavg"]) is not None]
    print("Responder side; groups modp1024 (3des/md5) and modp2048 (aes256/sha256): IKEv1 "
          "Main Mode (PSK) + Quick Mode;")
    print("ikev2-*: IKEv2 IKE_SA_INIT + IKE_AUTH (PSK, aes256/sha256) with the first "
          "CHILD_SA. Host %s, %s CPUs;" % (host, ncpu))
    print("load average %s (min/median/max over the points)" % mmm(las, "%.2f"))
    print("values: min/median/max over the repeats; memory per established SA pair; "
          "W: ikerd workers,")
    print("charon's threads in brackets; cores: CPU of the responder / of ikeload per "
          "second of set-up (medians)")
    print()
    print("%-17s %-14s %7s %6s %-20s %-17s %-15s %-15s %-9s %s" % (
        "responder", "group", "tunnels", "W", "CPU ms/SA", "set-up/s", "RSS KB/SA",
        "anon KB/SA", "cores", "failed"))
    for k in sorted(pts, key=lambda k: (k[1], k[2], k[3], k[0])):
        d = pts[k]
        w = "%d" % k[3] if k[0] == "ikerd" or not d["threads"] else "%d(%s)" % (
            k[3], d["threads"])
        cores = "-"
        if d["rcores"]:
            cores = "%.2f/%.2f" % (med(d["rcores"]), med(d["gcores"]) or 0)
        print("%-17s %-14s %7d %6s %-20s %-17s %-15s %-15s %-9s %d" % (
            k[0], k[1], k[2], w, mmm(d["cpu"], "%.3f"), mmm(d["rate"], "%.0f"),
            mmm(d["rss"], "%.1f"), mmm(d["anon"], "%.1f"), cores, d["fail"]))
    print()
    print("%-17s %-14s %-24s %-24s" % ("responder", "group", "latency p50 ms (low load)",
                                       "latency p99 ms"))
    for k in sorted(lat, key=lambda k: (k[1], k[0])):
        print("%-17s %-14s %-24s %-24s" % (k[0], k[1], mmm(lat[k]["p50"], "%.2f"),
                                           mmm(lat[k]["p99"], "%.2f")))
    print()
    for g, fl in sorted(floors.items()):
        print("crypto of one responder handshake (%s, half of bench_handshake, 1 thread): "
              "%.3f ms" % (g, fl))
    print()
    print("ratios (medians; charon = its faster backend at that point):")
    groups = sorted({k[1] for k in pts})
    for g in groups:
        for n in sorted({k[2] for k in pts if k[1] == g}):
            for w in sorted({k[3] for k in pts if k[1] == g and k[2] == n}):
                ik = pts.get(("ikerd", g, n, w))
                if not ik or not ik["cpu"]:
                    continue
                ch = [(lab, d) for (lab, gg, nn, ww), d in pts.items()
                      if lab != "ikerd" and gg == g and nn == n and ww == w and d["cpu"]]
                parts = ["%s n=%d W=%d: ikerd CPU/SA = %.2fx crypto" % (
                    g, n, w, med(ik["cpu"]) / floors[g]) if floors.get(g) else
                    "%s n=%d W=%d:" % (g, n, w)]
                if ch:
                    best = min(ch, key=lambda x: med(x[1]["cpu"]))
                    fastest = max(ch, key=lambda x: med(x[1]["rate"]))
                    parts.append("charon/ikerd CPU/SA %.2fx (%s%s)" % (
                        med(best[1]["cpu"]) / med(ik["cpu"]), best[0],
                        ", %.2fx crypto" % (med(best[1]["cpu"]) / floors[g])
                        if floors.get(g) else ""))
                    parts.append("ikerd/charon set-up rate %.2fx (%s)" % (
                        med(ik["rate"]) / med(fastest[1]["rate"]), fastest[0]))
                    # what one fully busy core sets up: 1 / CPU per SA (the
                    # measured rates are bounded by the share of a busy
                    # machine each process gets: see the cores column)
                    parts.append("per busy core %.0f/s vs %.0f/s (%.2fx)" % (
                        1000 / med(ik["cpu"]), 1000 / med(best[1]["cpu"]),
                        med(best[1]["cpu"]) / med(ik["cpu"])))
                    if med(ik["rss"]) and med(best[1]["rss"]):
                        parts.append("charon/ikerd RSS/SA %.2fx" % (
                            med(best[1]["rss"]) / med(ik["rss"])))
                print("  " + ", ".join(parts))
        il = lat.get(("ikerd", g))
        cl = [(lab, d) for (lab, gg), d in lat.items() if lab != "ikerd" and gg == g]
        if il and cl:
            best = min(cl, key=lambda x: med(x[1]["p50"]))
            print("  %s latency p50 ikerd/charon %.2fx (%s)" % (
                g, med(il["p50"]) / med(best[1]["p50"]), best[0]))


def plot(path, outdir):
    """One row per IKE version (IKEv1, IKEv2), CPU and RSS per SA against the
    number of tunnels, the points with 2 workers/threads (or, where a group
    has none, with 1)."""
    pts, _ = collect(load(path))
    ws = {}
    for (lab, g, n, w), d in pts.items():
        if d["cpu"]:
            ws.setdefault(g, set()).add(w)
    series = {}
    for (lab, g, n, w), d in pts.items():
        if not d["cpu"] or w != max(ws[g] & {1, 2} or ws[g]):
            continue
        series.setdefault((lab, g), []).append((n, med(d["cpu"]), med(d["rss"]),
                                                med(d["anon"])))
    rows = {}
    for (lab, g), v in sorted(series.items()):
        fn = os.path.join(outdir, "series-%s-%s.dat" % (lab, g))
        with open(fn, "w") as f:
            for n, c, r, a in sorted(v):
                f.write("%d %.4f %.3f %.3f\n" % (n, c, r, a))
        ver = "IKEv2" if g.startswith("ikev2-") else "IKEv1"
        rows.setdefault(ver, []).append((fn, "%s %s" % (lab, g)))
    print('set terminal pngcairo size 1400,%d font ",10"' % (40 + 600 * max(len(rows), 1)))
    print('set output "%s"' % os.path.join(outdir, "chart.png"))
    print("set multiplot layout %d,2 title \"responder, ikerd vs charon (2 ikerd workers, "
          'charon threads as in the table; medians)"' % max(len(rows), 1))
    print("set logscale x")
    print("set xrange [500:100000]")
    print('set xlabel "tunnels"')
    print("set key below")
    print("set grid")
    for ver in sorted(rows):
        files = rows[ver]
        print('set title "%s"' % ver)
        # CPU on a log scale: the ratios between the curves read as distances
        print("set logscale y")
        print('set ylabel "CPU ms per SA (log scale)"')
        print("plot " + ", ".join('"%s" using 1:2 with linespoints title "%s"' % f
                                  for f in files))
        print("unset logscale y")
        print("set yrange [0:*]")
        print('set ylabel "KB per SA pair (RSS)"')
        print("plot " + ", ".join('"%s" using 1:3 with linespoints title "%s"' % f
                                  for f in files))
        print("set yrange [*:*]")
    print("unset multiplot")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--plot":
        plot(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5:
        report(*sys.argv[1:5])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)
