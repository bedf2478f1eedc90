// Command probe is the e2e tests' workload image on the real node: one static program that
// serves HTTP, fetches a URL, and reports what the container really runs as, so a test can
// check logs, exec, Services and the security context without any image from a registry.
//
//	probe serve ADDR   answer every request with "probe <hostname>" until SIGTERM
//	probe get URL      print the body of URL; exit 1 on any error
//	probe tcp ADDR     connect to ADDR (host:port) and close; exit 1 if that fails
//	probe lookup NAME  print the addresses NAME resolves to (the pod's resolv.conf)
//	probe whoami       print "uid=N gid=N rootfs=read-only|writable"
package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: probe serve ADDR | get URL | tcp ADDR | lookup NAME | whoami")
	}
	switch os.Args[1] {
	case "serve":
		serve(arg(2))
	case "get":
		get(arg(2))
	case "tcp":
		dial(arg(2))
	case "lookup":
		lookup(arg(2))
	case "whoami":
		whoami()
	default:
		fail("unknown command " + os.Args[1])
	}
}

func arg(i int) string {
	if len(os.Args) <= i {
		fail("missing argument")
	}
	return os.Args[i]
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "probe:", msg)
	os.Exit(1)
}

func serve(addr string) {
	host, _ := os.Hostname()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "probe %s\n", host)
	})
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
		<-stop
		os.Exit(0)
	}()
	fmt.Printf("probe serving on %s\n", addr)
	fail(http.ListenAndServe(addr, nil).Error())
}

func get(url string) {
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		fail(err.Error())
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(string(body))
	if resp.StatusCode != http.StatusOK {
		fail(resp.Status)
	}
}

func dial(addr string) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		fail(err.Error())
	}
	conn.Close()
	fmt.Printf("connected to %s\n", addr)
}

func lookup(name string) {
	addrs, err := net.LookupHost(name)
	if err != nil {
		fail(err.Error())
	}
	fmt.Println(strings.Join(addrs, " "))
}

func whoami() {
	rootfs := "writable"
	f, err := os.Create("/probe-write-test")
	if errors.Is(err, syscall.EROFS) {
		rootfs = "read-only"
	} else if err == nil {
		f.Close()
		os.Remove("/probe-write-test")
	}
	fmt.Printf("uid=%d gid=%d rootfs=%s\n", os.Getuid(), os.Getgid(), rootfs)
}
