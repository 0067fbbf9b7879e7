// Benchmark twin of spawn.cpp: goroutine spawn-and-exit, cost per goroutine.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	var wg sync.WaitGroup
	wg.Add(n)
	start := time.Now()
	for i := 0; i < n; i++ {
		go func() { wg.Done() }()
	}
	wg.Wait()
	elapsed := time.Since(start)
	fmt.Printf("BENCH spawn %.3f ns/goroutine\n", float64(elapsed.Nanoseconds())/float64(n))
}
