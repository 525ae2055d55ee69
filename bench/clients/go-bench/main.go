// The nats.go side of bin/bench: one scenario run against one server, driven by the Go client users have, the
// result as "key value" lines on stdout (read by GoClientScenario in the bench module; see print below). bin/bench builds it with
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o bench/target/natsgo-bench ./bench/clients/go-bench
//
// (Debian packages golang-go and golang-github-nats-io-go-nats-dev). A fresh process runs each warm-up and each
// timed run, so the client never carries warmth from one server process to the next.
//
// Scenarios (the same shapes as the Java scenarios of the same name without "go-"):
//
//	pub         1 publisher, no subscriber, 16 B: msg/s the server takes in (ends with a flush round trip)
//	pubsub      1 publisher -> 1 subscriber, -payload B (16 by default; 128 for the TLS run)
//	fanout      1 publisher -> 5 subscribers, 16 B
//	queue       1 publisher -> a queue group of 4, 16 B
//	pubsub64k   1 publisher -> 1 subscriber, 64 KiB
//	reqrep      sequential request-reply, 1 requester, 1 responder, 16 B: latency percentiles
//	reqmany     50 requesters at once against a queue group of 4 responders, 16 B: req/s and latency
//	conns       -workers goroutines open -count connections (nats.Connect: handshake and first PING/PONG)
//
// With -ca FILE every connection is TLS, verified against that CA.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
)

type result struct {
	Units       int64
	Unit        string
	Values      map[string]float64
	Expected    int64
	Received    int64
	Disconnects int64
	Problems    []string
	Notes       []string
	ClientCPUMs float64
}

type options struct {
	url         string
	serveURL    string
	ca          string
	count       int64
	payload     int
	workers     int
	maxRun      time.Duration
	drainIdle   time.Duration
	windowBytes int64
}

// run holds what every connection of a run reports asynchronously: server-side disconnects and async errors.
type run struct {
	opts        options
	closing     atomic.Bool
	disconnects atomic.Int64
	mu          sync.Mutex
	problems    []string
	notes       []string
	conns       []*nats.Conn
}

func main() {
	var o options
	scenario := flag.String("scenario", "", "pub, pubsub, fanout, queue, pubsub64k, reqrep, reqmany or conns")
	flag.StringVar(&o.url, "url", "nats://127.0.0.1:4222", "server URL")
	flag.StringVar(&o.serveURL, "serve-url", "", "reqrep, reqmany: the responders' server URL (default: -url), e.g. another node of a cluster")
	flag.StringVar(&o.ca, "ca", "", "CA certificate (PEM): connect with TLS, verified against it")
	flag.Int64Var(&o.count, "count", 100000, "messages, requests or connections")
	flag.IntVar(&o.payload, "payload", 16, "payload bytes of pubsub")
	flag.IntVar(&o.workers, "workers", 16, "conns: goroutines opening connections")
	maxSeconds := flag.Float64("max-seconds", 20, "how long publishing (or requesting) may go on")
	drainSeconds := flag.Float64("drain-seconds", 3, "how long to wait for deliveries after they stop arriving")
	flag.Int64Var(&o.windowBytes, "window-bytes", 16<<20, "how far a publisher may run ahead of its slowest subscriber, 0 = no limit")
	flag.Parse()
	o.maxRun = time.Duration(*maxSeconds * float64(time.Second))
	o.drainIdle = time.Duration(*drainSeconds * float64(time.Second))

	r := &run{opts: o}
	var res result
	switch *scenario {
	case "pub":
		res = r.deliver("bench.go.pub", 16, 0, false)
	case "pubsub":
		res = r.deliver("bench.go.pubsub", o.payload, 1, false)
	case "fanout":
		res = r.deliver("bench.go.fanout", 16, 5, false)
	case "queue":
		res = r.deliver("bench.go.queue", 16, 4, true)
	case "pubsub64k":
		res = r.deliver("bench.go.large", 64*1024, 1, false)
	case "reqrep":
		res = r.requests(1, 1)
	case "reqmany":
		res = r.requests(50, 4)
	case "conns":
		res = r.connections()
	default:
		fmt.Fprintf(os.Stderr, "unknown -scenario %q\n", *scenario)
		os.Exit(2)
	}
	r.closeAll()
	res.Disconnects = r.disconnects.Load()
	r.mu.Lock()
	res.Problems = append(res.Problems, r.problems...)
	res.Notes = append(res.Notes, r.notes...)
	r.mu.Unlock()
	if res.Problems == nil {
		res.Problems = []string{}
	}
	if res.Notes == nil {
		res.Notes = []string{}
	}
	res.ClientCPUMs = cpuMillis()
	res.print()
}

// print writes the result one item per line: "units N", "unit msg", "value ID X" per value, "expected N",
// "received N", "disconnects N", "problem TEXT" per problem, "note TEXT" per note, "client_cpu_ms X".
func (res result) print() {
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	oneLine := strings.NewReplacer("\n", " ", "\r", " ")
	fmt.Fprintf(w, "units %d\nunit %s\n", res.Units, res.Unit)
	ids := make([]string, 0, len(res.Values))
	for id := range res.Values {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fmt.Fprintf(w, "value %s %g\n", id, res.Values[id])
	}
	fmt.Fprintf(w, "expected %d\nreceived %d\ndisconnects %d\n", res.Expected, res.Received, res.Disconnects)
	for _, p := range res.Problems {
		fmt.Fprintf(w, "problem %s\n", oneLine.Replace(p))
	}
	for _, n := range res.Notes {
		fmt.Fprintf(w, "note %s\n", oneLine.Replace(n))
	}
	fmt.Fprintf(w, "client_cpu_ms %g\n", res.ClientCPUMs)
}

func cpuMillis() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}

func (r *run) problem(format string, args ...interface{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.problems) < 20 {
		r.problems = append(r.problems, fmt.Sprintf(format, args...))
	}
}

func (r *run) note(format string, args ...interface{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

func (r *run) connect(name string) (*nats.Conn, error) {
	return r.connectTo(r.opts.url, name)
}

func (r *run) connectTo(url string, name string) (*nats.Conn, error) {
	opts := []nats.Option{
		nats.Name(name),
		nats.NoReconnect(),
		nats.Timeout(10 * time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil && !r.closing.Load() {
				r.disconnects.Add(1)
				r.problem("%s disconnected: %v", name, err)
			}
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			r.problem("%s: %v", name, err)
		}),
	}
	if r.opts.ca != "" {
		opts = append(opts, nats.RootCAs(r.opts.ca))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.conns = append(r.conns, nc)
	r.mu.Unlock()
	return nc, nil
}

func (r *run) closeAll() {
	r.closing.Store(true)
	r.mu.Lock()
	conns := r.conns
	r.conns = nil
	r.mu.Unlock()
	for _, nc := range conns {
		nc.Close()
	}
}

func failed(unit string, format string, args ...interface{}) result {
	return result{Unit: unit, Values: map[string]float64{}, Problems: []string{fmt.Sprintf(format, args...)}}
}

// deliver publishes count messages of payload bytes on subject to subs subscribers (a queue group when queue),
// each on its own connection, the publisher held within windowBytes of the slowest subscriber. Rates count from
// the first publish to the last delivery (to the publisher's flush round trip when nobody subscribes).
func (r *run) deliver(subject string, payload int, subs int, queue bool) result {
	counts := make([]atomic.Int64, subs)
	var last atomic.Int64
	for i := 0; i < subs; i++ {
		nc, err := r.connect(fmt.Sprintf("go-sub-%d", i))
		if err != nil {
			return failed("msg", "subscriber %d: %v", i, err)
		}
		c := &counts[i]
		handler := func(*nats.Msg) {
			c.Add(1)
			last.Store(time.Now().UnixNano())
		}
		var sub *nats.Subscription
		if queue {
			sub, err = nc.QueueSubscribe(subject, "workers", handler)
		} else {
			sub, err = nc.Subscribe(subject, handler)
		}
		if err == nil {
			err = sub.SetPendingLimits(-1, -1)
		}
		if err == nil {
			err = nc.Flush()
		}
		if err != nil {
			return failed("msg", "subscriber %d: %v", i, err)
		}
	}
	pub, err := r.connect("go-pub")
	if err != nil {
		return failed("msg", "publisher: %v", err)
	}
	delivered := func() int64 { // what the slowest subscriber has (the group's total for a queue group)
		if queue {
			var sum int64
			for i := range counts {
				sum += counts[i].Load()
			}
			return sum
		}
		min := int64(math.MaxInt64)
		for i := range counts {
			if n := counts[i].Load(); n < min {
				min = n
			}
		}
		return min
	}
	window := int64(math.MaxInt64)
	if r.opts.windowBytes > 0 && subs > 0 {
		window = r.opts.windowBytes/int64(payload+len(subject)+24) + 1
	}
	data := make([]byte, payload)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	start := time.Now()
	deadline := start.Add(r.opts.maxRun)
	var published int64
	for published < r.opts.count {
		if published&1023 == 0 && time.Now().After(deadline) {
			r.note("publish time limit reached after %d of %d messages", published, r.opts.count)
			break
		}
		if published&255 == 0 && published-delivered() > window {
			for spins := 0; published-delivered() > window; spins++ {
				if spins < 64 {
					runtime.Gosched()
				} else if time.Now().After(deadline) {
					break
				} else {
					time.Sleep(50 * time.Microsecond)
				}
			}
		}
		if err := pub.Publish(subject, data); err != nil {
			return failed("msg", "publish %d: %v", published, err)
		}
		published++
	}
	if err := pub.Flush(); err != nil {
		r.problem("publisher flush: %v", err)
	}
	end := time.Now()
	expected := published * int64(subs)
	if queue {
		expected = published
	}
	var received int64
	if subs > 0 {
		received = awaitDeliveries(func() int64 {
			var sum int64
			for i := range counts {
				sum += counts[i].Load()
			}
			return sum
		}, expected, r.opts.drainIdle)
		if l := last.Load(); l > 0 {
			end = time.Unix(0, l)
		}
	}
	seconds := math.Max(end.Sub(start).Seconds(), 1e-9)
	res := result{Units: published, Unit: "msg", Expected: expected, Received: received,
		Values: map[string]float64{"msgs_per_sec": float64(published) / seconds}}
	if subs > 1 && !queue {
		res.Values["deliveries_per_sec"] = float64(received) / seconds
	}
	if payload >= 1024 {
		res.Values["mb_per_sec"] = float64(published) * float64(payload) / 1e6 / seconds
	}
	if queue {
		spread := make([]string, subs)
		for i := range counts {
			spread[i] = fmt.Sprint(counts[i].Load())
		}
		r.note("spread over the group: %s", strings.Join(spread, " / "))
	}
	if received < expected {
		r.problem("lost %d of %d deliveries", expected-received, expected)
	}
	if subs == 0 {
		res.Expected, res.Received = published, published
	}
	return res
}

// awaitDeliveries polls total until it reaches expected, or stops moving for idle; returns the last value.
func awaitDeliveries(total func() int64, expected int64, idle time.Duration) int64 {
	seen := total()
	moved := time.Now()
	for seen < expected {
		time.Sleep(time.Millisecond)
		if now := total(); now != seen {
			seen, moved = now, time.Now()
		} else if time.Since(moved) > idle {
			break
		}
	}
	return seen
}

// requests runs requesters goroutines, each on its own connection, sending count/requesters requests one after
// another to a queue group of responders (each on its own connection) that answer with the request's payload.
func (r *run) requests(requesters int, responders int) result {
	const subject = "bench.go.rr"
	serveURL := r.opts.serveURL
	if serveURL == "" {
		serveURL = r.opts.url
	}
	for i := 0; i < responders; i++ {
		nc, err := r.connectTo(serveURL, fmt.Sprintf("go-responder-%d", i))
		if err != nil {
			return failed("req", "responder %d: %v", i, err)
		}
		_, err = nc.QueueSubscribe(subject, "responders", func(m *nats.Msg) {
			if err := m.Respond(m.Data); err != nil {
				r.problem("respond: %v", err)
			}
		})
		if err == nil {
			err = nc.Flush()
		}
		if err != nil {
			return failed("req", "responder %d: %v", i, err)
		}
	}
	clients := make([]*nats.Conn, requesters)
	for i := range clients {
		nc, err := r.connect(fmt.Sprintf("go-requester-%d", i))
		if err != nil {
			return failed("req", "requester %d: %v", i, err)
		}
		clients[i] = nc
	}
	per := r.opts.count / int64(requesters)
	if per < 1 {
		per = 1
	}
	latencies := make([][]time.Duration, requesters)
	data := make([]byte, 16)
	var wg sync.WaitGroup
	var answered atomic.Int64
	start := time.Now()
	deadline := start.Add(r.opts.maxRun)
	for i := range clients {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			mine := make([]time.Duration, 0, per)
			for n := int64(0); n < per && time.Now().Before(deadline); n++ {
				t0 := time.Now()
				if _, err := clients[i].Request(subject, data, 5*time.Second); err != nil {
					r.problem("request %d of requester %d: %v", n, i, err)
					break
				}
				mine = append(mine, time.Since(t0))
				answered.Add(1)
			}
			latencies[i] = mine
		}(i)
	}
	wg.Wait()
	seconds := math.Max(time.Since(start).Seconds(), 1e-9)
	var all []time.Duration
	for _, l := range latencies {
		all = append(all, l...)
	}
	sort.Slice(all, func(a, b int) bool { return all[a] < all[b] })
	sent := per * int64(requesters)
	if int64(len(all)) < sent && time.Now().After(deadline) {
		r.note("request time limit reached after %d of %d requests", len(all), sent)
		sent = int64(len(all))
	}
	return result{Units: int64(len(all)), Unit: "req", Expected: sent, Received: answered.Load(),
		Values: map[string]float64{
			"p50_us":       percentile(all, 0.50),
			"p99_us":       percentile(all, 0.99),
			"p999_us":      percentile(all, 0.999),
			"reqs_per_sec": float64(len(all)) / seconds,
		}}
}

func percentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	if i < 0 {
		i = 0
	}
	return float64(sorted[i].Nanoseconds()) / 1e3
}

// connections opens count connections from workers goroutines at once and keeps them until all are open.
func (r *run) connections() result {
	var next, opened atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < r.opts.workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := next.Add(1); i <= r.opts.count; i = next.Add(1) {
				if _, err := r.connect(fmt.Sprintf("go-conn-%d", i)); err != nil {
					r.problem("connection %d: %v", i, err)
					continue
				}
				opened.Add(1)
			}
		}(w)
	}
	wg.Wait()
	seconds := math.Max(time.Since(start).Seconds(), 1e-9)
	r.note("%d connections opened by %d workers in %.0f ms", opened.Load(), r.opts.workers, seconds*1e3)
	return result{Units: r.opts.count, Unit: "conn", Expected: r.opts.count, Received: opened.Load(),
		Values: map[string]float64{"conns_per_sec": float64(opened.Load()) / seconds}}
}
