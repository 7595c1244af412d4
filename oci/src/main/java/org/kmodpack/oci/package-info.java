/**
 * Bundles in OCI registries: {@link org.kmodpack.oci.OciReference} parses {@code oci://REGISTRY/REPO:TAG} and
 * {@code @sha256:} references, {@link org.kmodpack.oci.Credentials} finds what other OCI clients keep, and
 * {@link org.kmodpack.oci.Registry} speaks the distribution spec (manifests, bearer-token and basic auth, the
 * bundle blob read by Range as a {@link org.kmodpack.reader.ByteSource}, push and pull).
 */
package org.kmodpack.oci;
