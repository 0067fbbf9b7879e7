// Benchmark twin of recursion.cpp: a goroutine recursing N frames deep.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

//go:noinline
func descend(n int) int {
	if n == 0 {
		return 0
	}
	return descend(n-1) + 1
}

func main() {
	n := 10000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	var wg sync.WaitGroup
	depth := 0
	wg.Add(1)
	start := time.Now()
	go func() {
		depth = descend(n)
		wg.Done()
	}()
	wg.Wait()
	elapsed := time.Since(start)
	if depth != n {
		panic("recursion: wrong depth")
	}
	fmt.Printf("BENCH recursion %.3f ms\n", float64(elapsed.Nanoseconds())/1e6)
}
