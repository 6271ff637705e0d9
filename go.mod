module github.com/antsgo/ants

go 1.22

require go.uber.org/goleak v1.3.0

require pgregory.net/rapid v1.2.0
