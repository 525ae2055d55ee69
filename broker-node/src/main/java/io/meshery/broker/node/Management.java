package io.meshery.broker.node;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.management.scaladsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.FutureConverters;

/**
 * pekko-management for a clustered node: its routes (the read-only cluster endpoint {@code /cluster/members} and
 * the health checks {@code /alive} and {@code /ready}) are served on the monitoring port, so nodes sharing a host
 * need no other port, and on pekko-management's own port only when it is asked for
 * ({@code -Dpekko.management.http.port}, as the operator's pods do with 8558).
 */
final class Management {

    private static final Logger log = LoggerFactory.getLogger(Management.class);
    private static final String PORT_PROPERTY = "pekko.management.http.port";

    private Management() {}

    /** The management routes as a request handler, for the monitoring port. */
    static Function<HttpRequest, CompletionStage<HttpResponse>> handler(ActorSystem<?> system) {
        var routes = PekkoManagement.get(system).routes();
        scala.Function1<org.apache.pekko.http.scaladsl.model.HttpRequest,
            scala.concurrent.Future<org.apache.pekko.http.scaladsl.model.HttpResponse>> f =
            org.apache.pekko.http.scaladsl.server.Route$.MODULE$.toFunction(routes, system);
        return request -> FutureConverters.asJava(f.apply((org.apache.pekko.http.scaladsl.model.HttpRequest) request))
            .thenApply(r -> (HttpResponse) r);
    }

    /** Starts pekko-management's own HTTP server when its port was set. */
    static void startIfAsked(ActorSystem<?> system) {
        if (System.getProperty(PORT_PROPERTY) == null) {
            return;
        }
        PekkoManagement.get(system).start().onComplete(result -> {
            if (result.isSuccess()) {
                log.info("Cluster management endpoint on {}", result.get());
            } else {
                log.error("Cannot start the cluster management endpoint: {}", result.failed().get().getMessage());
            }
            return null;
        }, system.executionContext());
    }
}
