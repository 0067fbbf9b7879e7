// Benchmark twin of gcbench.cpp: Boehm's GCBench, top-down and bottom-up trees, a long-lived
// tree and array; then the wall time and the collector's pauses (reportPauses).
package main

import (
	"fmt"
	"os"
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
