// Benchmark twin of calls.cpp: a non-inlined function (with Go's stack-check prologue)
// called in a loop.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

//go:noinline
func step(x, y int) int {
	return (x ^ y) + (x >> 3)
}

func main() {
	n := 200000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	acc := 1
	start := time.Now()
	for i := 0; i < n; i++ {
		acc = step(acc, i)
	}
	elapsed := time.Since(start)
	if acc == 42 {
		fmt.Println("unlikely")
	}
	fmt.Printf("BENCH calls %.3f ns/call\n", float64(elapsed.Nanoseconds())/float64(n))
}
