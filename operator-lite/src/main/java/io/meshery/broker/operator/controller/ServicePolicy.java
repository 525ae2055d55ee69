package io.meshery.broker.operator.controller;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import java.util.Objects;

/**
 * Services: an update keeps the cluster IPs, IP families and, where the new type still uses them, the node
 * ports the API server allocated (so a LoadBalancer keeps its node ports and does not get re-provisioned).
 * Turning a headless Service into a normal one (or back), or changing the load balancer class of a
 * LoadBalancer, needs a new Service.
 */
final class ServicePolicy implements KindPolicy<Service> {
    @Override
    public Service preserve(Service current, Service desired) {
        ServiceSpec cur = current.getSpec();
        ServiceSpec des = desired.getSpec();
        if (cur == null || des == null) {
            return desired;
        }
        if (des.getClusterIP() == null) {
            des.setClusterIP(cur.getClusterIP());
            des.setClusterIPs(cur.getClusterIPs());
        }
        if (des.getIpFamilies() == null || des.getIpFamilies().isEmpty()) {
            des.setIpFamilies(cur.getIpFamilies());
        }
        if (des.getIpFamilyPolicy() == null) {
            des.setIpFamilyPolicy(cur.getIpFamilyPolicy());
        }
        boolean usesNodePorts = "NodePort".equals(des.getType()) || "LoadBalancer".equals(des.getType());
        if (usesNodePorts && cur.getPorts() != null && des.getPorts() != null) {
            for (ServicePort d : des.getPorts()) {
                if (d.getNodePort() != null) {
                    continue;
                }
                for (ServicePort c : cur.getPorts()) {
                    if (Objects.equals(c.getName(), d.getName()) && Objects.equals(c.getPort(), d.getPort())) {
                        d.setNodePort(c.getNodePort());
                    }
                }
            }
        }
        if ("LoadBalancer".equals(des.getType()) && "LoadBalancer".equals(cur.getType())
                && des.getHealthCheckNodePort() == null) {
            des.setHealthCheckNodePort(cur.getHealthCheckNodePort());
        }
        return desired;
    }

    @Override
    public String recreateReason(Service current, Service desired) {
        ServiceSpec cur = current.getSpec();
        ServiceSpec des = desired.getSpec();
        if (cur == null || des == null) {
            return null;
        }
        if ("None".equals(cur.getClusterIP()) != "None".equals(des.getClusterIP())) {
            return "clusterIP None cannot change in place";
        }
        if ("LoadBalancer".equals(cur.getType()) && "LoadBalancer".equals(des.getType())
                && cur.getLoadBalancerClass() != null && !Objects.equals(cur.getLoadBalancerClass(),
                des.getLoadBalancerClass())) {
            return "loadBalancerClass cannot change in place";
        }
        return null;
    }
}
