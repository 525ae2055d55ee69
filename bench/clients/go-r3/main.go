// nats.go against a replicated stream: creates GO (R3), publishes 100 with Nats-Msg-Id, pulls and acks them,
// prints stream info (cluster block) and consumer info. Build: GO111MODULE=off GOPATH=/usr/share/gocode go build
// (Debian packages golang-go and golang-github-nats-io-go-nats-dev); run with every node's URL as arguments.
package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

func main() {
	nc, err := nats.Connect(strings.Join(os.Args[1:], ","), nats.MaxReconnects(-1))
	if err != nil {
		panic(err)
	}
	defer nc.Close()
	js, err := nc.JetStream(nats.MaxWait(10 * time.Second))
	if err != nil {
		panic(err)
	}
	si, err := js.AddStream(&nats.StreamConfig{Name: "GO", Subjects: []string{"go.>"}, Replicas: 3, Storage: nats.FileStorage})
	if err != nil {
		panic(err)
	}
	fmt.Printf("created: replicas=%d leader=%s peers=%d\n", si.Config.Replicas, si.Cluster.Leader, len(si.Cluster.Replicas))
	for i := 0; i < 100; i++ {
		if _, err := js.Publish("go.x", []byte(fmt.Sprintf("m%d", i)), nats.MsgId(fmt.Sprintf("id-%d", i))); err != nil {
			panic(err)
		}
	}
	sub, err := js.PullSubscribe("go.>", "worker")
	if err != nil {
		panic(err)
	}
	got := 0
	for got < 100 {
		msgs, err := sub.Fetch(50, nats.MaxWait(5*time.Second))
		if err != nil {
			panic(err)
		}
		for _, m := range msgs {
			m.Ack()
			got++
		}
	}
	info, err := js.StreamInfo("GO")
	if err != nil {
		panic(err)
	}
	ci, err := js.ConsumerInfo("GO", "worker")
	if err != nil {
		panic(err)
	}
	fmt.Printf("stream: msgs=%d last=%d leader=%s; consumer: delivered=%d ackfloor=%d\n", info.State.Msgs, info.State.LastSeq, info.Cluster.Leader, ci.Delivered.Stream, ci.AckFloor.Stream)
	for _, r := range info.Cluster.Replicas {
		fmt.Printf("  replica %s current=%v active=%v\n", r.Name, r.Current, r.Active)
	}
}
