package io.meshery.broker.server;

import io.meshery.broker.security.TlsConfig;
import java.net.InetSocketAddress;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.TLSProtocol;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.TLS;
import org.apache.pekko.util.ByteString;

/**
 * The byte path of one accepted client socket. Plain TCP goes straight into a {@link ClientConnection}. With TLS
 * the connection is greeted as nats-server 2.9 does it: the INFO line (with {@code tls_required}) goes out in
 * plain text, and only then does the TLS handshake start, in a {@code TLS} BidiFlow joined between the socket and
 * the connection:
 *
 * <pre>
 *   socket in  ──► TLS (decrypt) ──► SessionBytes → bytes ──► ClientConnection ──┐
 *   socket out ◄── INFO (plain), then TLS (encrypt) ◄── SendBytes ◄────────────────┘
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
        Flow<TLSProtocol.SslTlsInbound, TLSProtocol.SslTlsOutbound, NotUsed> plain =
            Flow.<TLSProtocol.SslTlsInbound>create()
                .filter(in -> in instanceof TLSProtocol.SessionBytes)
                .map(in -> ((TLSProtocol.SessionBytes) in).bytes())
                .via(Flow.fromGraph(new ClientConnection(server, local, remote, cid, handshake)))
                .map(bytes -> (TLSProtocol.SslTlsOutbound) new TLSProtocol.SendBytes(bytes));
        ByteString info = ByteString.fromArrayUnsafe(server.info(cid, ip, local.getPort()));
        return TLS.create(tls::newEngine, handshake::completed, TLSClosing.eagerClose())
            .reversed()
            .join(plain)
            .prepend(Source.single(info));
    }
}
