package io.meshery.broker.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.meshery.broker.operator.api.BrokerServiceSpec;
import io.meshery.broker.operator.api.Endpoint;
import io.meshery.broker.operator.api.ServiceType;
import org.junit.jupiter.api.Test;

/** status.endpoint for every Service type, as the reference notes describe. */
class EndpointsTest {
    static final String INTERNAL = "meshery-broker.meshery.svc.cluster.local:4222";

    static ServiceBuilder service(String type) {
        return new ServiceBuilder().withNewMetadata().withName("meshery-broker").withNamespace("meshery").endMetadata()
                .withNewSpec().withType(type).withClusterIP("10.0.0.7")
                .addNewPort().withName("client").withPort(4222).withNodePort(type.equals("ClusterIP") ? null : 31222).endPort()
                .addNewPort().withName("monitor").withPort(8222).withNodePort(type.equals("ClusterIP") ? null : 31822).endPort()
                .endSpec();
    }

    static Endpoint derive(Service s, String override) {
        return Endpoints.derive(s, new BrokerServiceSpec(ServiceType.LoadBalancer, null, null, null, override),
                "203.0.113.9", "cluster.local");
    }

    @Test
    void clusterIpHasOnlyAnInternalEndpoint() {
        Endpoint e = derive(service("ClusterIP").build(), null);
        assertEquals(INTERNAL, e.internal());
        assertNull(e.external());
    }

    @Test
    void nodePortUsesTheNodeHostAndTheClientNodePort() {
        assertEquals("203.0.113.9:31222", derive(service("NodePort").build(), null).external());
        assertNull(Endpoints.derive(service("NodePort").build(), null, null, "cluster.local").external(),
                "no node host known");
    }

    @Test
    void pendingLoadBalancerHasNoExternalEndpointYet() {
        Endpoint e = derive(service("LoadBalancer").build(), null);
        assertEquals(INTERNAL, e.internal());
        assertNull(e.external());
    }

    @Test
    void loadBalancerIpOrHostname() {
        Service ip = service("LoadBalancer").withNewStatus().withNewLoadBalancer().addNewIngress().withIp("34.123.45.67")
                .endIngress().endLoadBalancer().endStatus().build();
        assertEquals("34.123.45.67:4222", derive(ip, null).external());
        Service host = service("LoadBalancer").withNewStatus().withNewLoadBalancer().addNewIngress()
                .withHostname("abc.elb.amazonaws.com").endIngress().endLoadBalancer().endStatus().build();
        assertEquals("abc.elb.amazonaws.com:4222", derive(host, null).external());
    }

    @Test
    void overrideWins() {
        assertEquals("broker.example.com:4222", derive(service("LoadBalancer").build(), "broker.example.com").external());
        assertEquals("broker.example.com:443", derive(service("NodePort").build(), "broker.example.com:443").external());
        assertEquals("x:4222", derive(null, "x").external());
        assertNull(derive(null, "x").internal());
    }

    @Test
    void clientPortIsFoundByNameThenNumber() {
        Service nats = new ServiceBuilder().withNewMetadata().withName("s").withNamespace("n").endMetadata()
                .withNewSpec().addNewPort().withName("monitor").withPort(8222).endPort()
                .addNewPort().withName("nats").withPort(14222).endPort().endSpec().build();
        assertEquals("s.n.svc.cluster.local:14222", derive(nats, null).internal());
        Service unnamed = new ServiceBuilder().withNewMetadata().withName("s").withNamespace("n").endMetadata()
                .withNewSpec().addNewPort().withPort(8222).endPort().addNewPort().withPort(4222).endPort().endSpec().build();
        assertEquals("s.n.svc.cluster.local:4222", derive(unnamed, null).internal());
    }
}
