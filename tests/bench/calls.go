// Benchmark twin of calls.cpp: naive recursive fib, each call with Go's prologue check.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func main() {
	n := 32
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	a, b := 1, 1 // fib makes 2*F(n+1) - 1 calls
	for i := 1; i < n; i++ {
		a, b = b, a+b
	}
	calls := 2*b - 1
	start := time.Now()
	result := fib(n)
	elapsed := time.Since(start)
	if result <= 0 {
		panic("calls: wrong result")
	}
	fmt.Printf("BENCH calls %.3f ns/call\n", float64(elapsed.Nanoseconds())/float64(calls))
}
