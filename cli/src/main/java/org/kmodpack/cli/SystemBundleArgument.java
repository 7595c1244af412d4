package org.kmodpack.cli;

import java.io.IOException;
import java.io.PrintWriter;
import org.kmodpack.reader.Bundle;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * The BUNDLE argument of the commands that hand its modules to the system (modprobe, insmod, initramfs), with
 * their trust options (a trusted signature unless --allow-unsigned) and the --layer bundles merged over it.
 */
final class SystemBundleArgument {
    @Parameters(index = "0", paramLabel = "BUNDLE", description = SourceOptions.BUNDLE)
    String location;

    @Mixin
    SystemTrustOptions trust;

    @Mixin
    LayerOptions layers;

    /**
     * The bundle and its layers, each trusted as the system may use it, the layers' symbols checked
     * ({@link LayerOptions#openChecked}, its warning on {@code err}).
     */
    LayerOptions.Opened openForSystem(PrintWriter err) throws IOException {
        return layers.openChecked(location, trust.signatures.source.cacheDirectoryOrDefault(),
                (bundle, keys) -> trust.open(bundle, Bundle.DEFAULT_CACHE_BYTES, keys), err);
    }

    /** The bundle and its layers opened for inspection: hashes always, signatures with --trust; symbols checked. */
    LayerOptions.Opened openForInspection(PrintWriter err) throws IOException {
        return layers.openChecked(location, trust.signatures.source.cacheDirectoryOrDefault(), trust.signatures::open,
                err);
    }

}
