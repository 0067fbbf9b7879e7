// Benchmark twin of hello.cpp: binary size and start-up time.
package main

import "fmt"

func main() {
	fmt.Println("hello, world")
}
