// Run by failover.sh (see there); a plain jnats program, not part of the bench module.
import io.nats.client.*;
import io.nats.client.api.*;
import io.nats.client.impl.*;
import java.time.Duration;
import java.util.*;

/** args: url1,url2,url3 name1=pid1,name2=pid2,name3=pid3 ; prints time from kill -9 of the stream leader to the next PubAck */
public class Failover {
    public static void main(String[] a) throws Exception {
        Map<String, Long> pids = new HashMap<>();
        for (String kv : a[1].split(",")) { String[] p = kv.split("="); pids.put(p[0], Long.parseLong(p[1])); }
        Options.Builder ob = Options.builder().maxReconnects(-1).reconnectWait(Duration.ofMillis(50));
        for (String u : a[0].split(",")) ob.server(u);
        try (Connection nc = Nats.connect(ob.build())) {
            JetStreamManagement jsm = nc.jetStreamManagement(JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(10)).build());
            StreamInfo si = null;
            for (int i = 0; i < 60 && si == null; i++) {
                try { si = jsm.addStream(StreamConfiguration.builder().name("FO").subjects("fo.>").replicas(3).storageType(StorageType.File).build()); }
                catch (Exception e) { Thread.sleep(500); }
            }
            JetStream js = nc.jetStream(JetStreamOptions.builder().requestTimeout(Duration.ofMillis(500)).build());
            int n = 0;
            for (; n < 200; n++) pub(js, n);
            si = jsm.getStreamInfo("FO");
            String leader = si.getClusterInfo().getLeader();
            long t0 = System.nanoTime();
            new ProcessBuilder("kill", "-9", Long.toString(pids.get(leader))).start().waitFor();
            pub(js, n++);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            for (int i = 0; i < 50; i++) pub(js, n++);
            StreamInfo after = jsm.getStreamInfo("FO");
            System.out.println("killed leader " + leader + "; first PubAck after " + ms + " ms; new leader " + after.getClusterInfo().getLeader() + "; messages " + after.getStreamState().getMsgCount() + " (published " + n + ")");
        }
    }
    static void pub(JetStream js, int i) throws Exception {
        Message m = NatsMessage.builder().subject("fo.x").headers(new Headers().add("Nats-Msg-Id", "m" + i)).data(new byte[16]).build();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try { js.publish(m); return; } catch (Exception e) { if (System.nanoTime() > deadline) throw e; }
        }
    }
}
