package ants

import (
	"fmt"
	"runtime/debug"
)

// PanicError is the error that futures and groups return for a task that
// panicked. It carries the value given to panic and the stack of the
// panicking goroutine; errors.As finds it, and errors.Is and errors.As see
// through it to Value when Value is an error.
type PanicError struct {
	// Value is the value the task passed to panic.
	Value any
	// Stack is the stack trace of the task's goroutine at the panic.
	Stack []byte
}

// Error returns "task panicked: " followed by the panic value.
func (p *PanicError) Error() string { return fmt.Sprintf("task panicked: %v", p.Value) }

// Unwrap returns Value if it is an error, and nil otherwise.
func (p *PanicError) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}

// newPanicError captures the current stack; call it from the deferred
// function that recovered r.
func newPanicError(r any) *PanicError { return &PanicError{Value: r, Stack: debug.Stack()} }

// report applies the pool's panic policy to the value r recovered from a
// task: PanicHandler gets it, or else the Logger gets it with the stack. A
// PanicHandler that panics itself is logged too, never re-raised, and
// logf keeps a Logger that panics from taking the worker down (see doc.go,
// # Panics).
func (e *engine[T]) report(r any) { e.reportAs("worker exits from panic: %v\n%s\n", r) }

// reportAs is report with the Logger's format, which takes the panic value
// and the stack.
func (e *engine[T]) reportAs(format string, r any) {
	h := e.opts.PanicHandler
	if h == nil {
		e.logf(format, r, debug.Stack())
		return
	}
	defer func() {
		if r := recover(); r != nil {
			e.logf("panic handler panicked: %v\n%s\n", r, debug.Stack())
		}
	}()
	h(r)
}
