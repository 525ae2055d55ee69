package io.meshery.broker.monitor;

import io.meshery.broker.server.Server;

/** The page at {@code /}: links to every endpoint, as nats-server's index page has. */
final class IndexPage {

    private static final String[][] LINKS = {
        {"varz", "General"},
        {"jsz", "JetStream"},
        {"connz", "Connections"},
        {"subsz", "Subscriptions"},
        {"routez", "Routes"},
        {"leafz", "LeafNodes"},
        {"gatewayz", "Gateways"},
        {"healthz", "Health Probe"},
        {"metrics", "Prometheus Metrics"},
    };

    private static final String HTML = render();

    private IndexPage() {
    }

    static String html() {
        return HTML;
    }

    private static String render() {
        StringBuilder b = new StringBuilder(1024);
        b.append("<html lang=\"en\">\n<head>\n<title>meshery-broker monitoring</title>\n<style type=\"text/css\">\n")
            .append("body { font-family: ui-sans-serif, system-ui, sans-serif; margin-left: 32px }\n")
            .append("a { display: block; margin-left: 7px; padding-bottom: 6px; color: rgb(72 72 92);")
            .append(" text-decoration: none }\n")
            .append("a:hover { font-weight: 600; color: rgb(59 50 202) }\n")
            .append("</style>\n</head>\n<body>\n")
            .append("<h2>meshery-broker ").append(Server.VERSION).append("</h2>\n")
            .append("<p>NATS protocol ").append(Server.NATS_VERSION).append(" compatible</p>\n");
        for (String[] link : LINKS) {
            b.append("<a href=./").append(link[0]).append('>').append(link[1]).append("</a>\n");
        }
        b.append("<a href=https://docs.nats.io/running-a-nats-service/nats_admin/monitoring>Help</a>\n")
            .append("</body>\n</html>\n");
        return b.toString();
    }
}
