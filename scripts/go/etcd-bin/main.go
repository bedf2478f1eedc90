// Command etcd is upstream's server/main.go: the etcd server module carries replace directives,
// so `go install` refuses it and we build it through this wrapper module instead.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
