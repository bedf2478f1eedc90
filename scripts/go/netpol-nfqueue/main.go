// Command netpol-nfqueue enforces NetworkPolicies on the local cluster's real node with the policy
// engine of sigs.k8s.io/kube-network-policies (pinned in scripts/versions.env).
//
// The library sends the first packet of every connection to userspace with an nftables `queue`
// rule. The kernel here is built without CONFIG_NFT_QUEUE, so that rule is refused (the library
// logs the failed sync and keeps serving its queue); it has the iptables NFQUEUE target instead.
// helmkit adds, inside the node's network namespace only, one iptables rule (mangle FORWARD) that
// hands the first packet of each new forwarded connection to the same queue number
// (core/cluster/real_node.py, NETPOL_RULE and netpol_rule_argv). The library's controller reads that queue and gives each packet its verdict
// from the cluster's pods, namespaces and NetworkPolicies. No packet is accepted while nothing
// reads the queue (fail closed: the iptables rule has no --queue-bypass).
//
// /healthz answers 200 once the informers are synced and the kernel shows the queue bound, with a
// line of the queue's counters, so `helmkit cluster status` can tell a bound enforcer from a live
// but useless process.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
	"sigs.k8s.io/kube-network-policies/pkg/networkpolicy"
)

// The kernel's per-namespace view of every bound netlink queue.
const queueStats = "/proc/net/netfilter/nfnetlink_queue"

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the enforcer's client identity")
	nodeName := flag.String("node-name", "", "the Node this enforcer runs on")
	queueNum := flag.Int("queue-num", 100, "the NFQUEUE number the iptables rules send packets to")
	healthz := flag.String("healthz-bind-address", "", "address:port of /healthz")
	version := flag.Bool("version", false, "print the kube-network-policies version built in and exit")
	klog.InitFlags(nil)
	flag.Parse()
	if *version {
		fmt.Println("netpol-nfqueue, kube-network-policies", engineVersion())
		return
	}
	if *kubeconfig == "" || *nodeName == "" || *healthz == "" {
		fmt.Fprintln(os.Stderr, "netpol-nfqueue: -kubeconfig, -node-name and -healthz-bind-address are required")
		os.Exit(2)
	}
	if err := run(*kubeconfig, *nodeName, *queueNum, *healthz); err != nil {
		klog.ErrorS(err, "netpol-nfqueue stopped")
		os.Exit(1)
	}
}

func run(kubeconfig, nodeName string, queueNum int, healthz string) error {
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return fmt.Errorf("reading %s: %w", kubeconfig, err)
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return err
	}
	factory := informers.NewSharedInformerFactory(client, 0)
	policies := factory.Networking().V1().NetworkPolicies()
	namespaces := factory.Core().V1().Namespaces()
	pods := factory.Core().V1().Pods()
	controller, err := networkpolicy.NewController(client, policies, namespaces, pods,
		nil, nil, nil, nil, // no node informer, no (Baseline)AdminNetworkPolicy: NetworkPolicy only
		networkpolicy.Config{
			QueueID:  queueNum,
			NodeName: nodeName,
			// containerd 1.6 has no NRI, so pod addresses come from the API server; yet NRI
			// stays "enabled": with NRIdisabled the library (v0.8.0) leaves its NRI plugin nil
			// and dereferences it for every address that is no known pod (a nil-pointer panic
			// on the first packet to the API server's link). Enabled, its stub fails to dial
			// /var/run/nri/nri.sock once (logged) and its address map stays empty.
			NRIdisabled: false,
			// The DNS conntrack race workaround is for kernels before 6.12 and is nftables only.
			NetfilterBug1766Fix: false,
		})
	if err != nil {
		return err
	}
	var synced atomic.Bool
	go serveHealth(ctx, healthz, queueNum, &synced)
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), policies.Informer().HasSynced,
		namespaces.Informer().HasSynced, pods.Informer().HasSynced) {
		return fmt.Errorf("informer caches did not sync")
	}
	synced.Store(true)
	klog.InfoS("caches synced; serving the queue", "queue", queueNum, "node", nodeName)
	return controller.Run(ctx)
}

// engineVersion is the policy engine's module version as the build recorded it.
func engineVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "sigs.k8s.io/kube-network-policies" {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func serveHealth(ctx context.Context, address string, queueNum int, synced *atomic.Bool) {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		line, bound := queueLine(queueNum)
		switch {
		case !synced.Load():
			http.Error(w, "informer caches not synced yet", http.StatusServiceUnavailable)
		case !bound:
			http.Error(w, fmt.Sprintf("queue %d not bound", queueNum), http.StatusServiceUnavailable)
		default:
			fmt.Fprintln(w, line)
		}
	})
	server := &http.Server{Addr: address, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); _ = server.Close() }()
	if err := server.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		klog.ErrorS(err, "healthz server stopped", "address", address)
	}
}

// queueLine describes the queue from the kernel's table: fields are queue number, peer port id,
// waiting packets, copy mode, copy range, dropped by the kernel, dropped by userspace, last id.
func queueLine(queueNum int) (string, bool) {
	file, err := os.Open(queueStats)
	if err != nil {
		return "", false
	}
	defer file.Close()
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		f := strings.Fields(scanner.Text())
		if len(f) >= 8 && f[0] == fmt.Sprint(queueNum) {
			return fmt.Sprintf("queue %s bound: %s waiting, %s dropped by the kernel, %s by userspace, %s packets seen",
				f[0], f[2], f[5], f[6], f[7]), true
		}
	}
	return "", false
}
