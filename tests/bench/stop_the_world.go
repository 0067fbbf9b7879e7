// Benchmark twin of stop_the_world.cpp: GOMAXPROCS changes (each stops the world) while two
// goroutines spin without calls; the median or the worst change.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"time"
)

var sink int64

func main() {
	n := 400
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	worst := len(os.Args) > 2 && os.Args[2][0] == 'm'
	for s := 0; s < 2; s++ {
		go func() {
			for {
				sink++
			}
		}()
	}
	until := time.Now().Add(30 * time.Millisecond) // let both spinners start
	for time.Now().Before(until) {
		runtime.Gosched()
	}
	times := make([]int64, n)
	for k := 0; k < n; k++ {
		start := time.Now()
		if k%2 == 0 {
			runtime.GOMAXPROCS(3)
		} else {
			runtime.GOMAXPROCS(2)
		}
		times[k] = time.Since(start).Nanoseconds()
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	value := times[n/2]
	if worst {
		value = times[n-1]
	}
	fmt.Printf("BENCH stop_the_world %.3f us\n", float64(value)/1000)
}
