// The collector twins' shared part (binary_trees.go, gcbench.go, gc_pauses.go): the
// Makefile builds each of them with this file beside it (GO_PAUSES), and no other twin, so
// that the other Go programs (hello.go above all) link no runtime/metrics.
package main

import (
	"fmt"
	"math"
	"runtime"
	"runtime/metrics"
)

// reportPauses prints every stop-the-world pause since start-up summarized, as gort's
// bench::report_pauses: PAUSES <pauses> <p50> <p99> <max> in microseconds, from the
// /gc/pauses:seconds histogram (each figure the upper end of its bucket; Go 1.19's buckets,
// as gort's, are 1/16 of a power of two wide). When MemStats.PauseNs still holds every
// cycle, the max is also capped by the longest (a cycle's two pauses summed).
func reportPauses() {
	sample := []metrics.Sample{{Name: "/gc/pauses:seconds"}}
	metrics.Read(sample)
	h := sample[0].Value.Float64Histogram()
	var total uint64
	for _, c := range h.Counts {
		total += c
	}
	upper := func(i int) float64 {
		if math.IsInf(h.Buckets[i+1], 1) {
			return h.Buckets[i]
		}
		return h.Buckets[i+1]
	}
	max := 0.0 // set below, before any quantile is asked for
	quantile := func(q float64) float64 {
		rank := uint64(math.Ceil(q * float64(total)))
		if rank < 1 {
			rank = 1
		}
		var seen uint64
		for i, c := range h.Counts {
			if seen += c; seen >= rank {
				return math.Min(upper(i), max) // never above the max, as gort's
			}
		}
		return 0
	}
	for i, c := range h.Counts {
		if c > 0 {
			max = upper(i)
		}
	}
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	if stats.NumGC <= uint32(len(stats.PauseNs)) {
		cycleMax := uint64(0)
		for _, p := range stats.PauseNs {
			if p > cycleMax {
				cycleMax = p
			}
		}
		max = math.Min(max, float64(cycleMax)/1e9)
	}
	if total == 0 {
		fmt.Printf("PAUSES 0 0.000 0.000 0.000\n")
		return
	}
	fmt.Printf("PAUSES %d %.3f %.3f %.3f\n", total, quantile(0.5)*1e6, quantile(0.99)*1e6, max*1e6)
}
