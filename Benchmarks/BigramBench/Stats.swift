import Dispatch

/// Order statistics of timings.
enum Stats {
    /// The median (mean of the two middle values for an even count); nil when empty.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        let m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }

    /// The nearest-rank percentile `p` (0…1) of `values`; nil when empty.
    static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        let rank = Int((p * Double(s.count)).rounded(.up))
        return s[min(s.count - 1, max(0, rank - 1))]
    }

    /// `numerator ÷ denominator`, or nil when either is missing or the denominator is not positive.
    static func ratio(_ numerator: Double?, _ denominator: Double?) -> Double? {
        guard let n = numerator, let d = denominator, d > 0, n.isFinite, d.isFinite else { return nil }
        return n / d
    }
}

/// A monotonic clock in seconds.
enum Stopwatch {
    @inline(__always) static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Seconds since `start` (a value of ``now()``).
    @inline(__always) static func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9
    }

    /// Runs `body` and returns its result with the seconds it took.
    static func time<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> (T, Double) {
        let start = now()
        let value = try body()
        return (value, seconds(since: start))
    }
}

/// Per-query timings of repeated passes over a query list.
struct QueryTimings {
    /// `seconds[pass][query]`.
    var seconds: [[Double]]

    /// Queries per second over `subset` (indices): its size ÷ the median over passes of its
    /// total time. Nil when the subset is empty.
    func perSecond(_ subset: [Int]) -> Double? {
        guard !subset.isEmpty else { return nil }
        let totals = seconds.map { pass in subset.reduce(0.0) { $0 + pass[$1] } }
        return Stats.ratio(Double(subset.count), Stats.median(totals))
    }

    /// The latency of each query in `subset`: its median over passes, in seconds.
    func latencies(_ subset: [Int]) -> [Double] {
        subset.compactMap { q in Stats.median(seconds.map { $0[q] }) }
    }

    /// Latency percentiles over `subset`, in microseconds.
    func latencySummary(_ subset: [Int]) -> LatencySummary {
        let l = latencies(subset)
        return LatencySummary(perSecond: perSecond(subset),
                              p50Micros: Stats.percentile(l, 0.50).map { $0 * 1e6 },
                              p90Micros: Stats.percentile(l, 0.90).map { $0 * 1e6 },
                              p99Micros: Stats.percentile(l, 0.99).map { $0 * 1e6 })
    }

    /// Runs `body(i)` for every query `i` in `0..<count`, `passes` times, timing each call.
    static func measure(count: Int, passes: Int, progress: Progress, _ body: (Int) -> Void) -> QueryTimings {
        var seconds: [[Double]] = []
        for pass in 0..<passes {
            var row = [Double](repeating: 0, count: count)
            for q in 0..<count {
                let start = Stopwatch.now()
                body(q)
                row[q] = Stopwatch.seconds(since: start)
                progress.update(pass * count + q + 1, of: passes * count)
            }
            seconds.append(row)
        }
        progress.finish()
        return QueryTimings(seconds: seconds)
    }
}

extension QueryTimings {
    /// Times two ways of running each query, interleaved: in every pass, query `i` runs `a(i)`
    /// then `b(i)` (the order swapped on odd passes), so that both see the same state of a
    /// shared, noisy machine and their ratio is a same-moment ratio, not one of two stretches.
    static func measurePaired(count: Int, passes: Int, progress: Progress,
                              _ a: (Int) -> Void, _ b: (Int) -> Void) -> (QueryTimings, QueryTimings) {
        var sa: [[Double]] = [], sb: [[Double]] = []
        for pass in 0..<passes {
            var ra = [Double](repeating: 0, count: count), rb = ra
            for q in 0..<count {
                func run(_ f: (Int) -> Void) -> Double {
                    let start = Stopwatch.now()
                    f(q)
                    return Stopwatch.seconds(since: start)
                }
                if pass % 2 == 0 { ra[q] = run(a); rb[q] = run(b) } else { rb[q] = run(b); ra[q] = run(a) }
                progress.update(pass * count + q + 1, of: passes * count)
            }
            sa.append(ra); sb.append(rb)
        }
        progress.finish()
        return (QueryTimings(seconds: sa), QueryTimings(seconds: sb))
    }
}

/// Throughput and latency percentiles of a set of queries.
struct LatencySummary {
    var perSecond: Double?
    var p50Micros: Double?
    var p90Micros: Double?
    var p99Micros: Double?
}
