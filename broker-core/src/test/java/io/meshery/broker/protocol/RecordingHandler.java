package io.meshery.broker.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Writes every parser callback down as one line of text, for comparing. */
class RecordingHandler implements ProtocolParser.Handler {

    final List<String> events = new ArrayList<>();

    @Override
    public void onConnect(byte[] buf, int off, int len) {
        events.add("CONNECT " + new String(buf, off, len, StandardCharsets.ISO_8859_1));
    }

    @Override
    public void onPublish(PubArgs args, byte[] buf, int off, int len) {
        String payload = new String(buf, off, len, StandardCharsets.ISO_8859_1);
        StringBuilder e = new StringBuilder(args.hasHeaders() ? "HPUB " : "PUB ").append(args.subject());
        if (args.reply() != null) {
            e.append(" reply=").append(args.reply());
        }
        if (args.hasHeaders()) {
            e.append(" hdr=").append(args.headerSize());
        }
        events.add(e.append(" [").append(payload).append("]").toString());
    }

    @Override
    public void onSubscribe(String subject, String queue, String sid) {
        events.add("SUB " + subject + (queue == null ? "" : " queue=" + queue) + " sid=" + sid);
    }

    @Override
    public void onUnsubscribe(String sid, long max) {
        events.add("UNSUB " + sid + " max=" + max);
    }

    @Override
    public void onPing() {
        events.add("PING");
    }

    @Override
    public void onPong() {
        events.add("PONG");
    }

    @Override
    public void onParseError(ParseError error, String detail) {
        events.add("ERROR " + error);
    }
}
