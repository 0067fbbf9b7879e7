// Benchmark twin of gc_pauses.cpp: G goroutines parked on a WaitGroup while main allocates
// 512-byte garbage until C collections have finished; the wall time and the pauses.
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

type Node struct {
	next    *Node
	payload [63]int64 // 512 bytes in all
}

const ringSize = 4096

var ring [ringSize]*Node

func cycles() uint64 {
	sample := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

func main() {
	goroutines, count := 100000, 12
	if len(os.Args) > 1 {
		goroutines, _ = strconv.Atoi(os.Args[1])
	}
	if len(os.Args) > 2 {
		count, _ = strconv.Atoi(os.Args[2])
	}
	var started, gate sync.WaitGroup
	gate.Add(1)
	started.Add(goroutines)
	for i := 0; i < goroutines; i++ {
		go func() {
			started.Done()
			gate.Wait()
		}()
	}
	started.Wait()
	target := cycles() + uint64(count)
	start := time.Now()
	for i := 0; ; i++ {
		node := &Node{}
		// Chains of two at most, so the live set stays the ring's.
		if older := ring[(i+1)%ringSize]; older != nil && older.next == nil {
			node.next = older
		}
		ring[i%ringSize] = node
		if i%1024 == 0 && cycles() >= target {
			break
		}
	}
	elapsed := time.Since(start)
	fmt.Printf("BENCH gc_pauses %.3f ms\n", float64(elapsed.Nanoseconds())/1e6)
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
