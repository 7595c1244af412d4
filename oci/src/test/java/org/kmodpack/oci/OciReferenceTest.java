package org.kmodpack.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** References as other OCI clients write them, with oci:// in front. */
class OciReferenceTest {
    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Test
    void aTagedReferenceNamesRegistryRepositoryAndTag() {
        OciReference reference = OciReference.parse("oci://registry.example:5000/kernels/debian/modules:6.1.0-28");
        assertEquals("registry.example:5000", reference.registry());
        assertEquals("registry.example", reference.host());
        assertEquals("kernels/debian/modules", reference.repository());
        assertEquals(Optional.of("6.1.0-28"), reference.tag());
        assertEquals("6.1.0-28", reference.reference());
        assertEquals("oci://registry.example:5000/kernels/debian/modules:6.1.0-28", reference.toString());
    }

    @Test
    void withoutATagTheTagIsLatestAndADigestPinsTheManifest() {
        assertEquals("latest", OciReference.parse("oci://r.example/modules").reference());
        OciReference pinned = OciReference.parse("oci://r.example/modules@" + DIGEST);
        assertEquals(Optional.empty(), pinned.tag());
        assertEquals(DIGEST, pinned.reference());
        assertEquals("oci://r.example/modules@" + DIGEST, pinned.toString());
    }

    @Test
    void loopbackIsLocalhostOrALoopbackAddressOnly() {
        assertTrue(OciReference.parse("oci://127.0.0.1:5000/m:t").isLoopback());
        assertTrue(OciReference.parse("oci://localhost:5000/m:t").isLoopback());
        assertTrue(OciReference.parse("oci://[::1]:5000/m:t").isLoopback());
        assertFalse(OciReference.parse("oci://registry.example/m:t").isLoopback());
        assertFalse(OciReference.parse("oci://10.0.0.1:5000/m:t").isLoopback());
    }

    @Test
    void malformedReferencesAreRefusedSayingWhatIsWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OciReference.parse("oci://registry-only"))
                .getMessage().contains("name a registry and a repository"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OciReference.parse("oci://r/Upper:t"))
                .getMessage().contains("not a valid repository name"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OciReference.parse("oci://r/m@sha256:12"))
                .getMessage().contains("64 hex digits"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> OciReference.parse("oci://r/m:-bad"))
                .getMessage().contains("not a valid tag"));
        assertFalse(OciReference.isOci("https://r/m"));
    }
}
