package io.meshery.broker.operator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.meshery.broker.operator.TestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRD in k8s/crds is the one generated from the Java classes. Regenerate it with
 * {@code mvn -pl operator-lite test -Dtest=CrdGenerationTest -Dregenerate.crd=true}.
 */
class CrdGenerationTest {
    /** kubectl shows printer columns in this order. */
    static final List<String> COLUMNS = List.of("Size", "Ready", "Status", "Internal", "External", "Age");

    /** Generates the CRD text from the Java classes. */
    public static String generate(Path dir) throws IOException {
        new CRDGenerator()
                .customResourceClasses(Broker.class)
                .forCRDVersions("v1")
                .withPostProcessor(new io.fabric8.crdv2.generator.CRDPostProcessor() {
                    @Override
                    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
                        for (CustomResourceDefinitionVersion v : ((CustomResourceDefinition) crd).getSpec().getVersions()) {
                            v.getAdditionalPrinterColumns().sort(
                                    Comparator.comparingInt((CustomResourceColumnDefinition c) -> COLUMNS.indexOf(c.getName())));
                        }
                        return crd;
                    }
                })
                .inOutputDir(dir.toFile())
                .generate();
        return Files.readString(dir.resolve(Broker.CRD_NAME + "-v1.yml"));
    }

    @Test
    void checkedInCrdIsTheGeneratedOne(@TempDir Path dir) throws IOException {
        String generated = generate(dir);
        Path checkedIn = TestSupport.repoRoot().resolve(TestSupport.CRD_FILE);
        if (Boolean.getBoolean("regenerate.crd")) {
            Files.createDirectories(checkedIn.getParent());
            Files.writeString(checkedIn, generated);
        }
        assertTrue(Files.exists(checkedIn), checkedIn + " is missing; run with -Dregenerate.crd=true");
        assertEquals(generated, Files.readString(checkedIn),
                TestSupport.CRD_FILE + " differs from the Java model; run with -Dregenerate.crd=true and review the diff");
    }

    @Test
    void crdHasNamesScopeSubresourcesAndColumns() {
        CustomResourceDefinition crd = TestSupport.SERIALIZATION.unmarshal(TestSupport.read(TestSupport.CRD_FILE),
                CustomResourceDefinition.class);
        assertEquals("brokers.meshery.io", crd.getMetadata().getName());
        assertEquals("meshery.io", crd.getSpec().getGroup());
        assertEquals("Namespaced", crd.getSpec().getScope());
        assertEquals("Broker", crd.getSpec().getNames().getKind());
        assertEquals(List.of("br"), crd.getSpec().getNames().getShortNames());
        CustomResourceDefinitionVersion v = crd.getSpec().getVersions().get(0);
        assertEquals("v1alpha1", v.getName());
        assertTrue(v.getServed() && v.getStorage());
        assertNotNull(v.getSubresources().getStatus());
        assertEquals(".spec.size", v.getSubresources().getScale().getSpecReplicasPath());
        assertEquals(COLUMNS, v.getAdditionalPrinterColumns().stream().map(CustomResourceColumnDefinition::getName)
                .toList());
        var spec = v.getSchema().getOpenAPIV3Schema().getProperties().get("spec").getProperties();
        assertEquals(1.0, spec.get("size").getMinimum());
        assertEquals(10.0, spec.get("size").getMaximum());
        assertEquals("1", spec.get("size").getDefault().toString());
        assertEquals("\"LoadBalancer\"", spec.get("service").getProperties().get("type").getDefault().toString());
        assertEquals(3, spec.get("service").getProperties().get("type").getEnum().size());
    }
}
