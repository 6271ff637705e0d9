module github.com/antsgo/ants/benchmarks

go 1.22

require (
	github.com/alitto/pond/v2 v2.7.1
	github.com/antsgo/ants v0.0.0
	github.com/gammazero/workerpool v1.1.3
	github.com/panjf2000/ants/v2 v2.12.1
	github.com/sourcegraph/conc v0.3.0
	golang.org/x/sync v0.11.0
)

require (
	github.com/gammazero/deque v0.2.1 // indirect
	go.uber.org/atomic v1.7.0 // indirect
	go.uber.org/multierr v1.9.0 // indirect
)

replace github.com/antsgo/ants => ../
