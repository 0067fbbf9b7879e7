// Benchmark twin of fib.cpp: recursive fork-join fib with a sequential cutoff; reports the
// mean of 5 runs after one warm-up run.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

func fibSerial(n int) int {
	if n < 2 {
		return n
	}
	return fibSerial(n-1) + fibSerial(n-2)
}

func fibParallel(n, cutoff int) int {
	if n <= cutoff {
		return fibSerial(n)
	}
	var left int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		left = fibParallel(n-1, cutoff)
		wg.Done()
	}()
	right := fibParallel(n-2, cutoff)
	wg.Wait()
	return left + right
}

func main() {
	n, cutoff := 32, 20
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	if len(os.Args) > 2 {
		cutoff, _ = strconv.Atoi(os.Args[2])
	}
	const runs = 5
	expected := fibSerial(n)
	if fibParallel(n, cutoff) != expected { // warm-up, as in fib.cpp
		panic("fib: wrong result")
	}
	start := time.Now()
	for i := 0; i < runs; i++ {
		if fibParallel(n, cutoff) != expected {
			panic("fib: wrong result")
		}
	}
	elapsed := time.Since(start)
	fmt.Printf("BENCH fib %.3f ms\n", float64(elapsed.Nanoseconds())/1e6/runs)
}
