// Benchmark twin of binary_trees.cpp: the Benchmarks Game's binary-trees, a goroutine per
// depth, then the wall time and the collector's pauses (pauses.go).
package main

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"time"
)

type Node struct{ left, right *Node }

func bottomUpTree(depth int) *Node {
	if depth <= 0 {
		return &Node{}
	}
	left := bottomUpTree(depth - 1)
	right := bottomUpTree(depth - 1)
	return &Node{left, right}
}

func (n *Node) itemCheck() int {
	if n.left == nil {
		return 1
	}
	return 1 + n.left.itemCheck() + n.right.itemCheck()
}

const minDepth = 4

func main() {
	n := 21
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	maxDepth := n
	if minDepth+2 > n {
		maxDepth = minDepth + 2
	}
	start := time.Now()
	stretch := maxDepth + 1
	fmt.Printf("stretch tree of depth %d\t check: %d\n", stretch, bottomUpTree(stretch).itemCheck())
	longLived := bottomUpTree(maxDepth)
	iterations := make([]int, maxDepth+1)
	checks := make([]int, maxDepth+1)
	var wg sync.WaitGroup
	for d := minDepth; d <= maxDepth; d += 2 {
		wg.Add(1)
		go func(d int) {
			count, check := 1<<uint(maxDepth-d+minDepth), 0
			for i := 0; i < count; i++ {
				check += bottomUpTree(d).itemCheck()
			}
			iterations[d], checks[d] = count, check
			wg.Done()
		}(d)
	}
	wg.Wait()
	for d := minDepth; d <= maxDepth; d += 2 {
		fmt.Printf("%d\t trees of depth %d\t check: %d\n", iterations[d], d, checks[d])
	}
	fmt.Printf("long lived tree of depth %d\t check: %d\n", maxDepth, longLived.itemCheck())
	elapsed := time.Since(start)
	fmt.Printf("BENCH binary_trees %.3f ms\n", float64(elapsed.Nanoseconds())/1e6)
	reportPauses()
}

// reportPauses prints every stop-the-world pause since start-up summarized, as gort's
// bench::report_pauses: PAUSES <pauses> <p50> <p99> <max> in microseconds, from the
// /gc/pauses:seconds histogram (each figure the upper end of its bucket; Go 1.19's buckets,
// as gort's, are 1/16 of a power of two wide). When MemStats.PauseNs still holds every
// cycle, the max is also capped by the longest (a cycle's two pauses summed).
// (The same function in each Go twin: the Makefile builds each twin from its one file.)
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
