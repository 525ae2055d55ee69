package io.meshery.broker.operator.model;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.meshery.broker.operator.api.BrokerServiceSpec;
import io.meshery.broker.operator.api.Endpoint;
import java.util.List;

/**
 * Derives {@code status.endpoint} from the client Service, with no I/O.
 *
 * <ul>
 *   <li>internal: {@code <service>.<namespace>.svc.<cluster domain>:<client port>} (the seed's form);
 *   <li>external, by the Service's type: LoadBalancer: the first ingress IP or hostname with the client port,
 *       or none while the load balancer is pending; NodePort: the configured node host with the node port;
 *       ClusterIP: none;
 *   <li>{@code spec.service.externalEndpointOverride} wins; the client port is added when it has none.
 * </ul>
 * The client port is the one named {@code client} or {@code nats}, else the one numbered 4222, else the first.
 */
public final class Endpoints {
    private Endpoints() {}

    public static Endpoint derive(Service service, BrokerServiceSpec spec, String nodePortHost, String clusterDomain) {
        String internal = null;
        String external = null;
        int port = Ports.CLIENT;
        if (service != null && service.getSpec() != null) {
            ServicePort clientPort = clientPort(service.getSpec().getPorts());
            if (clientPort != null) {
                port = clientPort.getPort();
            }
            internal = ResourceNames.clientServiceHost(service.getMetadata().getName(),
                    service.getMetadata().getNamespace(), clusterDomain) + ":" + port;
            String type = service.getSpec().getType() == null ? "ClusterIP" : service.getSpec().getType();
            switch (type) {
                case "LoadBalancer" -> external = loadBalancer(service, port);
                case "NodePort" -> {
                    Integer nodePort = clientPort == null ? null : clientPort.getNodePort();
                    if (nodePortHost != null && !nodePortHost.isEmpty() && nodePort != null && nodePort > 0) {
                        external = hostPort(nodePortHost, nodePort);
                    }
                }
                default -> external = null;
            }
        }
        String override = spec == null ? null : spec.externalEndpointOverride();
        if (override != null && !override.isEmpty()) {
            external = override.contains(":") ? override : override + ":" + port;
        }
        return new Endpoint(internal, external);
    }

    static ServicePort clientPort(List<ServicePort> ports) {
        if (ports == null || ports.isEmpty()) {
            return null;
        }
        for (ServicePort p : ports) {
            if (Ports.CLIENT_NAME.equals(p.getName()) || "nats".equals(p.getName())) {
                return p;
            }
        }
        for (ServicePort p : ports) {
            if (p.getPort() != null && p.getPort() == Ports.CLIENT) {
                return p;
            }
        }
        return ports.get(0);
    }

    private static String loadBalancer(Service service, int port) {
        if (service.getStatus() == null || service.getStatus().getLoadBalancer() == null) {
            return null;
        }
        List<LoadBalancerIngress> ingress = service.getStatus().getLoadBalancer().getIngress();
        if (ingress == null) {
            return null;
        }
        for (LoadBalancerIngress i : ingress) {
            if (i.getIp() != null && !i.getIp().isEmpty()) {
                return hostPort(i.getIp(), port);
            }
            if (i.getHostname() != null && !i.getHostname().isEmpty()) {
                return hostPort(i.getHostname(), port);
            }
        }
        return null;
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }
}
