package io.meshery.broker.server;

import io.meshery.broker.security.TlsConfig;
import java.net.InetSocketAddress;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The byte path of one accepted client socket. Plain TCP goes straight into a {@link ClientConnection}. With TLS
 * the connection is greeted as nats-server 2.9 does it: the INFO line (with {@code tls_required}) goes out in
 * plain text, and only then does the TLS handshake start, in a {@link TlsStage} joined between the socket and the
 * connection (the same actor runs both):
 *
 * <pre>
 *   socket in  ──► TlsStage (unwrap) ──► ClientConnection ──┐
 *   socket out ◄── INFO (plain), then TlsStage (wrap) ◄──────┘
 * </pre>
 *
 * The server-side TLS engine sends nothing before the client's hello, and the client sends its hello only after
 * reading INFO, so prepending INFO to the encrypted output keeps the order.
 */
final class ClientTransport {

    private ClientTransport() {
    }

    static Flow<ByteString, ByteString, NotUsed> flow(Server server, InetSocketAddress local,
                                                      InetSocketAddress remote) {
        TlsConfig tls = server.settings().security().tls();
        if (tls == null) {
            return Flow.fromGraph(new ClientConnection(server, local, remote));
        }
        long cid = server.nextClientId();
        String ip = remote.getAddress().getHostAddress();
        TlsHandshake handshake = new TlsHandshake(ip + ":" + remote.getPort() + " - cid:" + cid + " - ");
        ByteString info = ByteString.fromArrayUnsafe(server.info(cid, ip, local.getPort()));
        return BidiFlow.fromGraph(new TlsStage(tls.newEngine(), handshake))
            .join(Flow.fromGraph(new ClientConnection(server, local, remote, cid, handshake)))
            .prepend(Source.single(info));
    }
}
