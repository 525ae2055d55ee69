package io.meshery.broker.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.meshery.broker.operator.controller.LeaderElection;
import java.time.Duration;
import java.util.List;

/**
 * Starts operator-lite against the current kubeconfig (out of cluster) or the pod's service account (in
 * cluster): fabric8's default configuration picks whichever is there. See {@link OperatorConfig#USAGE}.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        List<String> argList = List.of(args);
        if (argList.contains("--help") || argList.contains("-h")) {
            System.out.print(OperatorConfig.USAGE);
            return;
        }
        KubernetesClient client = new KubernetesClientBuilder().build();
        OperatorConfig config;
        try {
            config = OperatorConfig.from(args, System.getenv(), client.getNamespace());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(OperatorConfig.USAGE);
            client.close();
            System.exit(Operator.EXIT_STARTUP_FAILED);
            return;
        }
        Operator operator = new Operator(client, config, LeaderElection.Timings.DEFAULT);
        Thread hook = new Thread(() -> {
            operator.shutdown();
            try {
                operator.awaitDone(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = operator.run();
        client.close();
        if (code != Operator.EXIT_OK) {
            System.exit(code);
        }
    }
}
