package io.meshery.broker.cluster.raft;

import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.ByteBufferSerializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/** Writes {@link RaftMessage}s as their fields and bytes, straight into Artery's buffer. */
public final class RaftSerializer extends SerializerWithStringManifest implements ByteBufferSerializer {

    /** Unique among the serializers of the actor system (the routes' is 6_222_001). */
    private static final int IDENTIFIER = 6_222_002;

    public RaftSerializer(ExtendedActorSystem system) {
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public String manifest(Object o) {
        if (o instanceof RaftMessage.Call) {
            return "C";
        } else if (o instanceof RaftMessage.Reply) {
            return "R";
        }
        throw new IllegalArgumentException("not a raft message: " + o.getClass());
    }

    @Override
    public byte[] toBinary(Object o) {
        int size = o instanceof RaftMessage.Call c ? 4 + utf8(c.from()).length + 12 + c.body().length
            : 9 + ((RaftMessage.Reply) o).body().length;
        ByteBuffer buf = ByteBuffer.allocate(size);
        toBinary(o, buf);
        return buf.array();
    }

    @Override
    public void toBinary(Object o, ByteBuffer buf) {
        if (o instanceof RaftMessage.Call c) {
            byte[] from = utf8(c.from());
            buf.putInt(from.length).put(from).putLong(c.id()).putInt(c.kind()).put(c.body());
        } else if (o instanceof RaftMessage.Reply r) {
            buf.putLong(r.id()).put((byte) (r.ok() ? 1 : 0)).put(r.body());
        } else {
            throw new IllegalArgumentException("not a raft message: " + o.getClass());
        }
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        return fromBinary(ByteBuffer.wrap(bytes), manifest);
    }

    @Override
    public Object fromBinary(ByteBuffer buf, String manifest) throws NotSerializableException {
        switch (manifest) {
            case "C" -> {
                byte[] from = new byte[buf.getInt()];
                buf.get(from);
                long id = buf.getLong();
                int kind = buf.getInt();
                return new RaftMessage.Call(new String(from, StandardCharsets.UTF_8), id, kind, rest(buf));
            }
            case "R" -> {
                long id = buf.getLong();
                boolean ok = buf.get() != 0;
                return new RaftMessage.Reply(id, ok, rest(buf));
            }
            default -> throw new NotSerializableException("unknown raft message manifest " + manifest);
        }
    }

    private static byte[] rest(ByteBuffer buf) {
        byte[] b = new byte[buf.remaining()];
        buf.get(b);
        return b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
