// Benchmark twin of gcbench.cpp: Boehm's GCBench, top-down and bottom-up trees, a long-lived
// tree and array; then the wall time and the collector's pauses (reportPauses).
package main

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"time"
)

type Node struct {
	left, right *Node
	i, j        int32 // GCBench's payload, never read
}

const arraySize = 500000
const minDepth = 4

var stretchDepth, longLivedDepth, maxDepth = 18, 16, 16

func treeSize(depth int) int { return (1 << uint(depth+1)) - 1 }
func iterations(depth int) int { return 2 * treeSize(stretchDepth) / treeSize(depth) }

// Top-down: the children are stored into a node that already exists.
func populate(depth int, node *Node) {
	if depth <= 0 {
		return
	}
	depth--
	node.left = &Node{}
	node.right = &Node{}
	populate(depth, node.left)
	populate(depth, node.right)
}

// Bottom-up: the children exist before their parent.
func makeTree(depth int) *Node {
	if depth <= 0 {
		return &Node{}
	}
	left := makeTree(depth - 1)
	right := makeTree(depth - 1)
	return &Node{left: left, right: right}
}

var sink *Node

func timeConstruction(depth int) {
	count := iterations(depth)
	for i := 0; i < count; i++ {
		temp := &Node{}
		populate(depth, temp)
		sink = temp
	}
	for i := 0; i < count; i++ {
		sink = makeTree(depth)
	}
	sink = nil
	fmt.Printf("Creating %d trees of depth %d\n", count, depth)
}

func countNodes(node *Node) int {
	if node == nil {
		return 0
	}
	return 1 + countNodes(node.left) + countNodes(node.right)
}

func main() {
	if len(os.Args) > 1 {
		maxDepth, _ = strconv.Atoi(os.Args[1])
	}
	stretchDepth, longLivedDepth = maxDepth+2, maxDepth
	start := time.Now()
	sink = makeTree(stretchDepth)
	sink = nil
	longLived := &Node{}
	populate(longLivedDepth, longLived)
	array := make([]float64, arraySize)
	for i := 0; i < arraySize/2; i++ {
		array[i] = 1.0 / float64(i)
	}
	for depth := minDepth; depth <= maxDepth; depth += 2 {
		timeConstruction(depth)
	}
	intact := array[1000] == 1.0/1000 && countNodes(longLived) == treeSize(longLivedDepth)
	elapsed := time.Since(start)
	state := "LOST"
	if intact {
		state = "intact"
	}
	fmt.Printf("long-lived tree of depth %d and array %s\n", longLivedDepth, state)
	fmt.Printf("BENCH gcbench %.3f ms\n", float64(elapsed.Nanoseconds())/1e6)
	reportPauses()
	if !intact {
		os.Exit(1)
	}
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
