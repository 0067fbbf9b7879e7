// Benchmark twin of chan_pingpong.cpp: unbuffered channel ping-pong.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func main() {
	rounds := 1000000
	if len(os.Args) > 1 {
		rounds, _ = strconv.Atoi(os.Args[1])
	}
	ping, pong := make(chan int), make(chan int)
	go func() {
		for {
			pong <- (<-ping) + 1
		}
	}()
	v := 0
	start := time.Now()
	for i := 0; i < rounds; i++ {
		ping <- v
		v = <-pong
	}
	elapsed := time.Since(start)
	if v != rounds {
		panic("chan_pingpong: wrong count")
	}
	fmt.Printf("BENCH chan_pingpong %.3f ns/round-trip\n", float64(elapsed.Nanoseconds())/float64(rounds))
}
