// Benchmark twin of gc_pauses.cpp: G goroutines parked on a WaitGroup while main allocates
// 512-byte garbage until C collections have finished; the wall time and the pauses.
package main

import (
	"fmt"
	"os"
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
