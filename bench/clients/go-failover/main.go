// go-failover: nats.go given every node's URL, subscribed through the first; a second connection publishes
// through the last. Prints "ready" once messages flow, then waits for the node it is connected to to die, and
// exits 0 once it has reconnected elsewhere and received 200 more messages (1 on a 60 s timeout).
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run main.go nats://127.0.0.1:14224,nats://127.0.0.1:14223,nats://127.0.0.1:14222
package main

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

func main() {
	urls := strings.Split(os.Args[1], ",")
	var received int64
	reconnected := make(chan string, 1)
	sub, err := nats.Connect(strings.Join(urls, ","), nats.DontRandomize(), nats.MaxReconnects(-1),
		nats.ReconnectWait(100*time.Millisecond),
		nats.ReconnectHandler(func(nc *nats.Conn) { reconnected <- nc.ConnectedUrl() }))
	if err != nil {
		fmt.Println("connect:", err)
		os.Exit(1)
	}
	first := sub.ConnectedUrl()
	if _, err := sub.Subscribe("failover.go", func(m *nats.Msg) { atomic.AddInt64(&received, 1) }); err != nil {
		fmt.Println("subscribe:", err)
		os.Exit(1)
	}
	sub.Flush()
	pub, err := nats.Connect(urls[len(urls)-1])
	if err != nil {
		fmt.Println("connect publisher:", err)
		os.Exit(1)
	}
	go func() {
		for {
			pub.Publish("failover.go", []byte("x"))
			time.Sleep(2 * time.Millisecond)
		}
	}()
	deadline := time.Now().Add(60 * time.Second)
	for atomic.LoadInt64(&received) < 100 {
		if time.Now().After(deadline) {
			fmt.Println("no messages before the kill")
			os.Exit(1)
		}
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Printf("ready: connected to %s, known servers %v, %d received\n", first, sub.DiscoveredServers(),
		atomic.LoadInt64(&received))
	select {
	case url := <-reconnected:
		at := atomic.LoadInt64(&received)
		fmt.Printf("reconnected to %s after the kill, %d received so far\n", url, at)
		for atomic.LoadInt64(&received) < at+200 {
			if time.Now().After(deadline) {
				fmt.Println("no messages after the failover")
				os.Exit(1)
			}
			time.Sleep(10 * time.Millisecond)
		}
		fmt.Printf("ok: %d received, 200 more after the failover\n", atomic.LoadInt64(&received))
	case <-time.After(time.Until(deadline)):
		fmt.Println("no reconnect")
		os.Exit(1)
	}
}
