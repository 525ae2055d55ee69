package io.meshery.broker.cluster;

import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.ByteBufferSerializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Writes {@link RouteMessage}s in a compact binary form, straight into Artery's buffer: a frame is its two
 * longs and its bytes, with no further encoding. Bound to {@code RouteMessage} by {@link PekkoClusterConfig}.
 */
public final class RouteSerializer extends SerializerWithStringManifest implements ByteBufferSerializer {

    /** Unique among the serializers of the actor system (Pekko keeps 0-40 for its own). */
    private static final int IDENTIFIER = 6_222_001;

    public RouteSerializer(ExtendedActorSystem system) {
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public String manifest(Object o) {
        if (o instanceof RouteMessage.Frame) {
            return "F";
        } else if (o instanceof RouteMessage.Ack) {
            return "A";
        } else if (o instanceof RouteMessage.Hello) {
            return "H";
        } else if (o instanceof RouteMessage.Ping) {
            return "P";
        } else if (o instanceof RouteMessage.Pong) {
            return "Q";
        }
        throw new IllegalArgumentException("not a route message: " + o.getClass());
    }

    @Override
    public byte[] toBinary(Object o) {
        ByteBuffer buf = ByteBuffer.allocate(size(o));
        toBinary(o, buf);
        return buf.array();
    }

    @Override
    public void toBinary(Object o, ByteBuffer buf) {
        if (o instanceof RouteMessage.Frame f) {
            buf.putLong(f.fromUid()).putLong(f.seq()).put(f.data());
        } else if (o instanceof RouteMessage.Ack a) {
            buf.putLong(a.fromUid()).putLong(a.seq());
        } else if (o instanceof RouteMessage.Ping p) {
            buf.putLong(p.fromUid()).putLong(p.sentNanos());
        } else if (o instanceof RouteMessage.Pong p) {
            buf.putLong(p.fromUid()).putLong(p.sentNanos());
        } else if (o instanceof RouteMessage.Hello h) {
            buf.putLong(h.fromUid()).putLong(h.startMillis()).put((byte) (h.jetStream() ? 1 : 0));
            putString(buf, h.address());
            putString(buf, h.serverId());
            putString(buf, h.serverName());
            putString(buf, h.clusterName());
            putString(buf, h.clientUrl());
            buf.putInt(h.streamPort());
        } else {
            throw new IllegalArgumentException("not a route message: " + o.getClass());
        }
    }

    private static int size(Object o) {
        if (o instanceof RouteMessage.Frame f) {
            return 16 + f.data().length;
        } else if (o instanceof RouteMessage.Hello h) {
            return 17 + 4 * 5 + 4 + utf8(h.address()).length + utf8(h.serverId()).length + utf8(h.serverName()).length
                + utf8(h.clusterName()).length + utf8(h.clientUrl()).length;
        }
        return 16;
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        return fromBinary(ByteBuffer.wrap(bytes), manifest);
    }

    @Override
    public Object fromBinary(ByteBuffer buf, String manifest) throws NotSerializableException {
        long uid = buf.getLong();
        switch (manifest) {
            case "F" -> {
                long seq = buf.getLong();
                byte[] data = new byte[buf.remaining()];
                buf.get(data);
                return new RouteMessage.Frame(uid, seq, data);
            }
            case "A" -> {
                return new RouteMessage.Ack(uid, buf.getLong());
            }
            case "P" -> {
                return new RouteMessage.Ping(uid, buf.getLong());
            }
            case "Q" -> {
                return new RouteMessage.Pong(uid, buf.getLong());
            }
            case "H" -> {
                long start = buf.getLong();
                boolean js = buf.get() != 0;
                String address = getString(buf);
                String serverId = getString(buf);
                String serverName = getString(buf);
                String clusterName = getString(buf);
                String clientUrl = getString(buf);
                int streamPort = buf.remaining() >= 4 ? buf.getInt() : 0;
                return new RouteMessage.Hello(uid, address, serverId, serverName, clusterName, clientUrl, js, start,
                    streamPort);
            }
            default -> throw new NotSerializableException("unknown route message manifest " + manifest);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void putString(ByteBuffer buf, String s) {
        byte[] b = utf8(s);
        buf.putInt(b.length).put(b);
    }

    private static String getString(ByteBuffer buf) {
        byte[] b = new byte[buf.getInt()];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
