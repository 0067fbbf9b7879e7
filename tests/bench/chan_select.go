// Benchmark twin of chan_select.cpp: select over two buffered channels.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func main() {
	n := 2000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	a, b := make(chan int, 64), make(chan int, 64)
	start := time.Now()
	go func() {
		for i := 0; i < n; i++ {
			a <- 1
		}
	}()
	go func() {
		for i := 0; i < n; i++ {
			b <- 2
		}
	}()
	sum := 0
	for i := 0; i < 2*n; i++ {
		select {
		case v := <-a:
			sum += v
		case v := <-b:
			sum += v
		}
	}
	elapsed := time.Since(start)
	if sum != 3*n {
		panic("chan_select: wrong sum")
	}
	fmt.Printf("BENCH chan_select %.3f ns/value\n", float64(elapsed.Nanoseconds())/float64(2*n))
}
