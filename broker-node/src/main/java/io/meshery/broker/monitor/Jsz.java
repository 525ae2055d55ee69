package io.meshery.broker.monitor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshery.broker.jetstream.JetStream;
import io.meshery.broker.jetstream.JetStreamConfig;

/**
 * {@code /jsz} with JetStream on, in nats-server 2.9.10's shape: the configuration, storage used, API totals,
 * streams, messages and bytes; with {@code accounts=1} one account ({@code $G}, as a server without accounts),
 * and with {@code streams=1} each stream's detail.
 */
final class Jsz {

    private Jsz() {
    }

    static ObjectNode build(ObjectNode j, JetStream js, boolean accounts, boolean streams, boolean config) {
        JetStreamConfig c = js.config();
        JetStream.Stats s = js.stats();
        ObjectNode conf = j.putObject("config");
        conf.put("max_memory", c.maxMemory());
        conf.put("max_storage", c.maxStore());
        conf.put("store_dir", c.storeDir().toString());
        usage(j, s);
        j.put("ha_assets", js.replicatedStreams());
        ObjectNode meta = js.metaCluster();
        if (meta != null) {
            j.set("meta_cluster", meta);
        }
        j.put("streams", s.streams());
        j.put("consumers", s.consumers());
        j.put("messages", s.messages());
        j.put("bytes", s.bytes());
        if (accounts) {
            ArrayNode details = j.putArray("account_details");
            ObjectNode account = details.addObject();
            account.put("name", "$G");
            account.put("id", "$G");
            usage(account, s);
            if (streams) {
                ArrayNode list = account.putArray("stream_detail");
                for (ObjectNode d : js.streamDetails(config)) {
                    list.add(d);
                }
            }
        }
        return j;
    }

    private static void usage(ObjectNode n, JetStream.Stats s) {
        n.put("memory", s.memory());
        n.put("storage", s.storage());
        n.put("reserved_memory", 0);
        n.put("reserved_storage", 0);
        n.put("accounts", 1);
        n.put("ha_assets", 0);
        ObjectNode api = n.putObject("api");
        api.put("total", s.apiTotal());
        api.put("errors", s.apiErrors());
    }
}
