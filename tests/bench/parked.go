// Benchmark twin of parked.cpp: resident-set growth per parked goroutine.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
)

func residentBytes() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		panic(err)
	}
	fields := strings.Fields(string(data))
	pages, _ := strconv.ParseInt(fields[1], 10, 64)
	return pages * 4096
}

func main() {
	n := 100000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	var started, gate sync.WaitGroup
	gate.Add(1)
	started.Add(n)
	before := residentBytes()
	for i := 0; i < n; i++ {
		go func() {
			started.Done()
			gate.Wait()
		}()
	}
	started.Wait()
	after := residentBytes()
	fmt.Printf("BENCH parked %.3f bytes/goroutine\n", float64(after-before)/float64(n))
}
