// Benchmark twin of binary_trees.cpp: the Benchmarks Game's binary-trees, a goroutine per
// depth, then the wall time and the collector's pauses (pauses.go).
package main

import (
	"fmt"
	"os"
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
