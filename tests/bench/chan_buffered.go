// Benchmark twin of chan_buffered.cpp: buffered channel throughput.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func main() {
	n := 5000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	ch := make(chan int, 128)
	start := time.Now()
	go func() {
		for i := 0; i < n; i++ {
			ch <- i
		}
		close(ch)
	}()
	sum := 0
	for v := range ch {
		sum += v
	}
	elapsed := time.Since(start)
	if sum != n*(n-1)/2 {
		panic("chan_buffered: wrong sum")
	}
	fmt.Printf("BENCH chan_buffered %.3f ns/value\n", float64(elapsed.Nanoseconds())/float64(n))
}
