// Benchmark twin of thread_ring.cpp: the Benchmarks Game thread-ring.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

const ringSize = 503

func main() {
	hops := 10000000
	if len(os.Args) > 1 {
		hops, _ = strconv.Atoi(os.Args[1])
	}
	var links [ringSize]chan int
	for i := range links {
		links[i] = make(chan int)
	}
	finished := make(chan int)
	for i := 0; i < ringSize; i++ {
		go func(id int) {
			in, next := links[id], links[(id+1)%ringSize]
			for {
				token := <-in
				if token == 0 {
					finished <- id + 1
					return
				}
				next <- token - 1
			}
		}(i)
	}
	start := time.Now()
	links[0] <- hops
	winner := <-finished
	elapsed := time.Since(start)
	if winner != hops%ringSize+1 {
		panic("thread_ring: wrong winner")
	}
	fmt.Printf("BENCH thread_ring %.3f ms\n", float64(elapsed.Nanoseconds())/1e6)
}
