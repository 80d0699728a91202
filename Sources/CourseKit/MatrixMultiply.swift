#if canImport(Dispatch)
import Dispatch
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// The matrix-multiplication engine behind `matmul`: packed, register- and
/// cache-blocked, vectorized with `SIMD4<Double>`, and split over the cores
/// for large products — with results that do not depend on any of that.
///
/// ## Blocking scheme (GotoBLAS-style, sized for 32 KB L1 / 512 KB L2)
///
///     for each block of kc = 128 steps of the inner dimension p:
///       pack B[p-block, all columns] into panels of nr = 8 columns (kc × 8, contiguous, zero-padded)
///       for each block of mc = 64 rows of A:
///         pack A[row-block, p-block] into panels of mr = 4 rows (kc × 4, contiguous, zero-padded)
///         for each B panel (stays in L1, 8 KB):
///           for each A panel (the 64 KB block stays in L2, 4 KB each):
///             micro-kernel: a 4 × 8 tile of C in eight SIMD4 registers,
///             updated by kc rank-1 steps (two vector loads of B, four broadcasts of A)
///
/// The block sizes were chosen by measurement on the course's reference machine
/// (AMD EPYC, 2 cores): kc = 128 with mc = 64 ran 256³ about 1.5× faster
/// than kc = 256 with mc = 96, and no slower at 64³ or 128³.
///
/// Packing is also where transposed operands are handled: it reads A or B
/// through a row stride and a column stride, so `transposeA`/`transposeB`
/// cost no extra copy.
///
/// ## Why the result does not depend on blocking, vector width or threads
///
/// The micro-kernel starts each tile from the current value of C and adds the
/// products `a[i,p] · b[p,j]` one `p` at a time, in increasing `p`, with a
/// separate multiply and add (never a fused multiply-add). So every output is
/// `((0 + a₀b₀) + a₁b₁) + …` in exactly the order of the textbook triple loop,
/// whatever the block sizes, whether the lanes are 2 (SSE2) or 4 (AVX2) wide,
/// and however the rows are divided between threads (each output is written
/// by exactly one thread). Results are bit-for-bit identical on every run,
/// with one thread or many, and on every CPU that implements IEEE 754 doubles.
///
/// Separate multiply and add cost nothing on AMD Zen (two multiply and two add
/// pipes); on Intel cores, where both share the FMA ports, they halve peak
/// throughput — a price paid for reproducibility.
enum MatrixMultiply {
    static let mr = 4
    static let nr = 8
    static let kc = 128
    static let mc = 64
    /// Products with fewer multiply-adds than this run on one thread: below it,
    /// waking a second thread costs more than it saves.
    static let parallelThreshold = 1 << 21

    /// A read-only matrix view: element (i, j) is at `base[i * rowStride + j * columnStride]`.
    struct Operand: @unchecked Sendable {
        let base: UnsafePointer<Double>
        let rowStride: Int
        let columnStride: Int
    }

    /// A writable row-major matrix view with `columns` elements per row, rows `rowStride` apart.
    struct Output: @unchecked Sendable {
        let base: UnsafeMutablePointer<Double>
        let rowStride: Int
    }

    /// C[n, m] = A[n, k] × B[k, m] for one matrix, rows `rows` of C only: the
    /// first block of the inner dimension overwrites C (starting from +0), later
    /// ones add to it, so C needs no zero fill (k = 0 writes nothing: the caller fills).
    static func multiply(rows: Range<Int>, m: Int, k: Int, a: Operand, b: Operand, c: Output) {
        let n = rows.count
        guard n > 0, m > 0, k > 0 else { return }
        let panelsB = (m + nr - 1) / nr
        let blockK = Swift.min(kc, k)
        // With one block of the inner dimension and one block of rows, every element of B is read
        // by exactly one pass of panels: packing would copy B only to read the copy once. Read a
        // row-major B in place instead (only a last, partial panel is packed, for its zero padding).
        // This is the convolution's case: a few filter rows times tens of thousands of columns.
        let inPlaceB = b.columnStride == 1 && k <= kc && n <= mc
        let packedB = UnsafeMutablePointer<Double>.allocate(capacity: (inPlaceB ? 1 : panelsB) &* nr &* blockK)
        let rowsA = Swift.min(mc, (n + mr - 1) / mr * mr)
        let packedA = UnsafeMutablePointer<Double>.allocate(capacity: rowsA &* blockK)
        defer { packedB.deallocate(); packedA.deallocate() }

        var p0 = 0
        while p0 < k {
            let depth = Swift.min(kc, k &- p0)
            if !inPlaceB { packB(b, p0: p0, depth: depth, m: m, into: packedB) }
            var i0 = rows.lowerBound
            while i0 < rows.upperBound {
                let height = Swift.min(mc, rows.upperBound &- i0)
                packA(a, i0: i0, height: height, p0: p0, depth: depth, into: packedA)
                var panel = 0
                while panel < panelsB {
                    let j0 = panel &* nr
                    let width = Swift.min(nr, m &- j0)
                    let bPanel: UnsafePointer<Double>, ldb: Int
                    if !inPlaceB {
                        (bPanel, ldb) = (UnsafePointer(packedB + panel &* nr &* depth), nr)
                    } else if width == nr {
                        (bPanel, ldb) = (b.base + (p0 &* b.rowStride &+ j0), b.rowStride)
                    } else {
                        packB(b, p0: p0, depth: depth, m: m, firstPanel: panel, into: packedB)
                        (bPanel, ldb) = (UnsafePointer(packedB), nr)
                    }
                    var r = 0
                    while r < height {
                        let tileRows = Swift.min(mr, height &- r)
                        let aPanel = UnsafePointer(packedA + r &* depth)
                        let cTile = c.base + ((i0 &+ r) &* c.rowStride &+ j0)
                        if tileRows == mr && width == nr {
                            kernel(depth: depth, a: aPanel, b: bPanel, ldb: ldb, c: cTile, ldc: c.rowStride, accumulate: p0 > 0)
                        } else if width == nr {
                            // The last 1–3 rows: one row at a time rather than a 4-row tile that is mostly padding.
                            for i in 0..<tileRows {
                                rowKernel(depth: depth, a: aPanel + i, b: bPanel, ldb: ldb, c: cTile + i &* c.rowStride,
                                          accumulate: p0 > 0)
                            }
                        } else if width == 1 {
                            columnKernel(columns: 1, depth: depth, a: aPanel, b: bPanel, ldb: ldb, c: cTile, ldc: c.rowStride,
                                         accumulate: p0 > 0, rows: tileRows)
                        } else if width <= 4 {
                            columnKernel(columns: 4, depth: depth, a: aPanel, b: bPanel, ldb: ldb, c: cTile, ldc: c.rowStride,
                                         accumulate: p0 > 0, rows: tileRows, validColumns: width)
                        } else {
                            edgeKernel(depth: depth, a: aPanel, b: bPanel, ldb: ldb, c: cTile, ldc: c.rowStride, accumulate: p0 > 0,
                                       rows: tileRows, columns: width)
                        }
                        r &+= mr
                    }
                    panel &+= 1
                }
                i0 &+= height
            }
            p0 &+= depth
        }
    }

    /// B[p0 ..< p0+depth, all m columns] into panels of `nr` columns: panel `q`
    /// holds, for each step p, the 8 values B[p, 8q ..< 8q+8] (zeros past column m).
    /// (`firstPanel` > 0 packs only the panels from that one on, the first of them at `out`.)
    static func packB(_ b: Operand, p0: Int, depth: Int, m: Int, firstPanel: Int = 0, into out: UnsafeMutablePointer<Double>) {
        let panels = (m + nr - 1) / nr
        for panel in firstPanel..<panels {
            let j0 = panel &* nr
            let width = Swift.min(nr, m &- j0)
            let dst = out + (panel &- firstPanel) &* nr &* depth
            for p in 0..<depth {
                let src = b.base + ((p0 &+ p) &* b.rowStride &+ j0 &* b.columnStride)
                let row = dst + p &* nr
                if width == nr && b.columnStride == 1 {
                    for j in 0..<nr { row[j] = src[j] }
                } else {
                    for j in 0..<width { row[j] = src[j &* b.columnStride] }
                    for j in width..<nr { row[j] = 0 }
                }
            }
        }
    }

    /// A[i0 ..< i0+height, p0 ..< p0+depth] into panels of `mr` rows: panel `s`
    /// holds, for each step p, the 4 values A[i0+4s ..< i0+4s+4, p] (zeros past the last row).
    static func packA(_ a: Operand, i0: Int, height: Int, p0: Int, depth: Int, into out: UnsafeMutablePointer<Double>) {
        var r = 0
        while r < height {
            let rows = Swift.min(mr, height &- r)
            let dst = out + r &* depth
            let src = a.base + ((i0 &+ r) &* a.rowStride &+ p0 &* a.columnStride)
            for i in 0..<mr {
                if i < rows {
                    let rowSrc = src + i &* a.rowStride
                    for p in 0..<depth { dst[p &* mr &+ i] = rowSrc[p &* a.columnStride] }
                } else {
                    for p in 0..<depth { dst[p &* mr &+ i] = 0 }
                }
            }
            r &+= mr
        }
    }

    /// The 4 × 8 micro-kernel: C[0..<4, 0..<8] += Σ_p a[p] ⊗ b[p], one p at a time.
    /// Row p of B's panel starts `ldb` elements after row p − 1 (`nr` when packed).
    @inline(__always)
    static func kernel(depth: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>, ldb: Int,
                       c: UnsafeMutablePointer<Double>, ldc: Int, accumulate: Bool) {
        let c0 = UnsafeMutableRawPointer(c), c1 = UnsafeMutableRawPointer(c + ldc)
        let c2 = UnsafeMutableRawPointer(c + 2 &* ldc), c3 = UnsafeMutableRawPointer(c + 3 &* ldc)
        typealias V = SIMD4<Double>
        // The first block of the inner dimension starts from +0 in registers (as the triple loop's
        // `total = 0` does), so the output needs no zero fill; later blocks add to what is there.
        var t00 = V(), t01 = V(), t10 = V(), t11 = V(), t20 = V(), t21 = V(), t30 = V(), t31 = V()
        if accumulate {
            t00 = c0.loadUnaligned(as: V.self); t01 = c0.loadUnaligned(fromByteOffset: 32, as: V.self)
            t10 = c1.loadUnaligned(as: V.self); t11 = c1.loadUnaligned(fromByteOffset: 32, as: V.self)
            t20 = c2.loadUnaligned(as: V.self); t21 = c2.loadUnaligned(fromByteOffset: 32, as: V.self)
            t30 = c3.loadUnaligned(as: V.self); t31 = c3.loadUnaligned(fromByteOffset: 32, as: V.self)
        }
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b), strideB = ldb &* 8
        var p = 0
        while p < depth {
            let b0 = rb.loadUnaligned(fromByteOffset: p &* strideB, as: V.self)
            let b1 = rb.loadUnaligned(fromByteOffset: p &* strideB &+ 32, as: V.self)
            let aOff = p &* 32
            let a0 = V(repeating: ra.load(fromByteOffset: aOff, as: Double.self))
            let a1 = V(repeating: ra.load(fromByteOffset: aOff &+ 8, as: Double.self))
            let a2 = V(repeating: ra.load(fromByteOffset: aOff &+ 16, as: Double.self))
            let a3 = V(repeating: ra.load(fromByteOffset: aOff &+ 24, as: Double.self))
            // Multiply, then add: no fused multiply-add, so every CPU rounds alike.
            t00 = t00 + a0 * b0; t01 = t01 + a0 * b1
            t10 = t10 + a1 * b0; t11 = t11 + a1 * b1
            t20 = t20 + a2 * b0; t21 = t21 + a2 * b1
            t30 = t30 + a3 * b0; t31 = t31 + a3 * b1
            p &+= 1
        }
        c0.storeBytes(of: t00, as: V.self); c0.storeBytes(of: t01, toByteOffset: 32, as: V.self)
        c1.storeBytes(of: t10, as: V.self); c1.storeBytes(of: t11, toByteOffset: 32, as: V.self)
        c2.storeBytes(of: t20, as: V.self); c2.storeBytes(of: t21, toByteOffset: 32, as: V.self)
        c3.storeBytes(of: t30, as: V.self); c3.storeBytes(of: t31, toByteOffset: 32, as: V.self)
    }

    /// One row of a tile, 1 × 8: C[0, 0..<8] += Σ_p a[p·mr] · b[p], one p at a time (`a` points
    /// into a packed A panel at the row's lane). The same sums, in the same order, as the 4 × 8 kernel.
    @inline(__always)
    static func rowKernel(depth: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>, ldb: Int,
                          c: UnsafeMutablePointer<Double>, accumulate: Bool) {
        typealias V = SIMD4<Double>
        let rc = UnsafeMutableRawPointer(c)
        var t0 = V(), t1 = V()
        if accumulate { t0 = rc.loadUnaligned(as: V.self); t1 = rc.loadUnaligned(fromByteOffset: 32, as: V.self) }
        let rb = UnsafeRawPointer(b), strideB = ldb &* 8
        var p = 0
        while p < depth {
            let b0 = rb.loadUnaligned(fromByteOffset: p &* strideB, as: V.self)
            let b1 = rb.loadUnaligned(fromByteOffset: p &* strideB &+ 32, as: V.self)
            let av = V(repeating: a[p &* mr])
            t0 = t0 + av * b0; t1 = t1 + av * b1
            p &+= 1
        }
        rc.storeBytes(of: t0, as: V.self); rc.storeBytes(of: t1, toByteOffset: 32, as: V.self)
    }

    /// The last 1–4 columns of C, for `rows` ≤ 4 rows: one vector of the 4 rows per column,
    /// C[0..<4, j] += Σ_p a[p] · b[p, j], one p at a time — the same sums, in the same order, as
    /// the 4 × 8 kernel, without computing the 4–7 columns of padding. `columns` (1 or 4) is
    /// how many are computed; the first `validColumns` are stored (B's panel is zero-padded).
    @inline(__always)
    static func columnKernel(columns: Int, depth: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>, ldb: Int,
                             c: UnsafeMutablePointer<Double>, ldc: Int, accumulate: Bool, rows: Int,
                             validColumns: Int = 1) {
        typealias V = SIMD4<Double>
        var t0 = V(), t1 = V(), t2 = V(), t3 = V()
        if accumulate {
            for i in 0..<rows {
                let row = c + i &* ldc
                t0[i] = row[0]
                if columns > 1 {
                    if validColumns > 1 { t1[i] = row[1] }
                    if validColumns > 2 { t2[i] = row[2] }
                    if validColumns > 3 { t3[i] = row[3] }
                }
            }
        }
        let ra = UnsafeRawPointer(a)
        var p = 0
        while p < depth {
            let av = ra.loadUnaligned(fromByteOffset: p &* 32, as: V.self)
            let row = b + p &* ldb
            t0 = t0 + av * V(repeating: row[0])
            if columns > 1 {
                t1 = t1 + av * V(repeating: row[1])
                t2 = t2 + av * V(repeating: row[2])
                t3 = t3 + av * V(repeating: row[3])
            }
            p &+= 1
        }
        for i in 0..<rows {
            let row = c + i &* ldc
            row[0] = t0[i]
            if columns > 1 {
                if validColumns > 1 { row[1] = t1[i] }
                if validColumns > 2 { row[2] = t2[i] }
                if validColumns > 3 { row[3] = t3[i] }
            }
        }
    }

    /// A partial tile at the right or bottom edge: run the full kernel on a
    /// 4 × 8 copy of the valid part of C, then copy the valid part back.
    static func edgeKernel(depth: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>, ldb: Int,
                           c: UnsafeMutablePointer<Double>, ldc: Int, accumulate: Bool, rows: Int, columns: Int) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: mr * nr) { tile in
            let t = tile.baseAddress!
            for i in 0..<mr {
                for j in 0..<nr { t[i &* nr &+ j] = accumulate && i < rows && j < columns ? c[i &* ldc &+ j] : 0 }
            }
            kernel(depth: depth, a: a, b: b, ldb: ldb, c: t, ldc: nr, accumulate: true)
            for i in 0..<rows {
                for j in 0..<columns { c[i &* ldc &+ j] = t[i &* nr &+ j] }
            }
        }
    }

    /// C = A × B for a batch of `count` products (the caller zero-fills C only
    /// when k = 0). `matrix(t)` gives the operands and output of product t.
    /// Large work is split over threads by a fixed partition of the outputs
    /// (whole products when there are enough of them, else row ranges).
    static func multiplyBatch(count: Int, n: Int, m: Int, k: Int,
                              matrix: (Int) -> (a: Operand, b: Operand, c: Output)) {
        let work = count &* n &* m &* k
        let threads = Swift.min(Parallelism.maximumThreads, Swift.max(1, work / parallelThreshold))
        if threads <= 1 || count == 0 || n == 0 || m == 0 || k == 0 {
            for t in 0..<count {
                let (a, b, c) = matrix(t)
                multiply(rows: 0..<n, m: m, k: k, a: a, b: b, c: c)
            }
            return
        }
        let jobs = (0..<count).map(matrix)
        let tasks: [(product: Int, rows: Range<Int>)]
        if count >= threads {
            tasks = (0..<count).map { ($0, 0..<n) }
        } else {
            // Row ranges, whole micro-panels (multiples of mr) so that no tile is split.
            let panels = (n + mr - 1) / mr
            let chunks = threads
            tasks = (0..<count).flatMap { t in
                (0..<chunks).compactMap { s -> (Int, Range<Int>)? in
                    let lo = Swift.min(n, panels * s / chunks * mr), hi = Swift.min(n, panels * (s + 1) / chunks * mr)
                    return lo < hi ? (t, lo..<hi) : nil
                }
            }
        }
        Parallelism.run(tasks.count, threads: threads) { index in
            let (t, rows) = tasks[index]
            multiply(rows: rows, m: m, k: k, a: jobs[t].a, b: jobs[t].b, c: jobs[t].c)
        }
    }
}

/// How many threads CourseKit's kernels may use. Results never depend on it
/// (see `MatrixMultiply`); only the wall time does.
public enum Parallelism {
    /// At most this many threads run one operation; defaults to the number of
    /// active processors, or to `DLFS_THREADS` when that environment variable is set.
    /// Set it before starting work (it is not synchronized).
    nonisolated(unsafe) public static var maximumThreads: Int = defaultThreads

    static let defaultThreads: Int = {
        if let text = getenv("DLFS_THREADS"), let n = Int(String(cString: text)), n >= 1 { return n }
        #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
        return Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }()

    /// Runs `body(0) … body(count - 1)` on up to `threads` threads, returning
    /// when all are done. Tasks are handed out in order; each writes disjoint outputs.
    static func run(_ count: Int, threads: Int, _ body: (Int) -> Void) {
        #if canImport(Dispatch)
        if threads > 1 && count > 1 {
            withoutActuallyEscaping(body) { body in
                let box = UncheckedSendable(body)
                let workers = Swift.min(threads, count)
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    var index = w
                    while index < count {
                        box.value(index)
                        index += workers
                    }
                }
            }
            return
        }
        #endif
        for index in 0..<count { body(index) }
    }
}

/// Carries a value the compiler cannot prove thread-safe into a concurrent
/// loop whose iterations touch disjoint memory.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
