//go:build go1.23

// The Examples of Map and MapUnordered live here, not in example_test.go,
// because they need the iter package and range-over-func, which Go 1.22
// lacks: a build constraint applies to a whole file, and this one keeps
// example_test.go building on every Go version the module supports.

package ants

import (
	"context"
	"errors"
	"fmt"
	"log"
	"slices"
	"strconv"
)

func ExampleMap() {
	pool, err := NewPool(4)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Release()

	// Square 1..5 on the pool, four at a time; the results come back in
	// the order of the input.
	square := func(_ context.Context, n int) (int, error) { return n * n, nil }
	for sq, err := range Map(context.Background(), pool, slices.Values([]int{1, 2, 3, 4, 5}), square) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Print(sq, " ")
	}
	fmt.Println()
	// Output: 1 4 9 16 25
}

func ExampleMap_break() {
	pool, err := NewPool(4)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Release()

	// Parse until the first bad input. Breaking out of the loop cancels
	// the context of the calls still running and waits for them; the
	// calls not started yet never run.
	inputs := []string{"1", "2", "three", "4", "5"}
	parse := func(_ context.Context, s string) (int, error) { return strconv.Atoi(s) }
	sum := 0
	for n, err := range Map(context.Background(), pool, slices.Values(inputs), parse, WithWindow(2)) {
		if err != nil {
			fmt.Println("stop:", errors.Unwrap(err))
			break
		}
		sum += n
	}
	fmt.Println("sum:", sum)
	// Output:
	// stop: invalid syntax
	// sum: 3
}

func ExampleMapUnordered() {
	pool, err := NewPool(4)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Release()

	// Each result is yielded as soon as it is ready; sort them to print.
	double := func(_ context.Context, n int) (int, error) { return 2 * n, nil }
	var got []int
	for d, err := range MapUnordered(context.Background(), pool, slices.Values([]int{3, 1, 2}), double) {
		if err != nil {
			log.Fatal(err)
		}
		got = append(got, d)
	}
	slices.Sort(got)
	fmt.Println(got)
	// Output: [2 4 6]
}
